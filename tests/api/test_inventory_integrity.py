"""Clients' DELETE and PATCH of TMF637/638/639 records keep the chain whole (issue 15, s.2).

A live record, or one another record or a running order names, is not deleted; a record is
not ended while what it is built from is live, nor rewired while live: 409, nothing changed.
Ended records nothing names are deleted.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.storage.allocations import release
from tests.api.chain_records import (
    CEASED_RESOURCE,
    LIVE_RESOURCE,
    MERGE,
    PRODUCTS,
    RESOURCES,
    SERVICES,
    error_of,
    product,
    product_order,
    ref,
    resource,
    resource_order,
    service,
    store,
)
from tests.api.test_resources import SPEC_REF
from tests.integration.test_allocations import numbers, take

Client = TestClient[Any]


def unchanged(client: Client, url: str, request: Any, code: str) -> dict[str, Any]:
    """The request answers 409 with `code`, and the record is as it was."""
    before = client.get(url)
    assert before.status_code == 200
    body = error_of(request(), 409, code)
    after = client.get(url)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    return body


def delete(client: Client, url: str, code: str) -> dict[str, Any]:
    return unchanged(client, url, lambda: client.delete(url), code)


def patch(client: Client, url: str, change: dict[str, Any], code: str) -> dict[str, Any]:
    return unchanged(client, url, lambda: client.patch(url, json=change, headers=MERGE), code)


def test_an_active_product_is_not_deleted_and_its_cease_is_named(
    client: Client, cascade: Cascade
) -> None:
    """The issue's example: its services would stay active, and no cease could find it."""
    access = service(cascade, "active")
    fibre = product(cascade, "active", access)
    body = delete(client, f"{PRODUCTS}/{fibre['id']}", "recordLive")
    assert "active" in body["message"] and "productOrder" in body["message"]
    assert client.get(f"{SERVICES}/{access['id']}").json()["state"] == "active"


def test_live_services_and_resources_are_not_deleted(client: Client, cascade: Cascade) -> None:
    delete(client, f"{SERVICES}/{service(cascade, 'active')['id']}", "recordLive")
    delete(client, f"{SERVICES}/{service(cascade, 'reserved')['id']}", "recordLive")
    delete(client, f"{RESOURCES}/{resource(cascade, **LIVE_RESOURCE)['id']}", "recordLive")
    in_use = resource(cascade, usageState="active")
    delete(client, f"{RESOURCES}/{in_use['id']}", "recordLive")


def test_an_ended_chain_is_deleted_from_the_top_down(client: Client, cascade: Cascade) -> None:
    """Ended records are deleted once nothing names them: product, service, then resource."""
    port = resource(cascade, **CEASED_RESOURCE)
    rfs = service(cascade, "terminated", resources=(port,))
    cfs = service(cascade, "terminated", services=(rfs,))
    fibre = product(cascade, "terminated", cfs)
    for url, named_by in (
        (f"{RESOURCES}/{port['id']}", rfs),
        (f"{SERVICES}/{rfs['id']}", cfs),
        (f"{SERVICES}/{cfs['id']}", fibre),
    ):
        assert named_by["id"] in delete(client, url, "recordInUse")["message"]
    for url in (
        f"{PRODUCTS}/{fibre['id']}",
        f"{SERVICES}/{cfs['id']}",
        f"{SERVICES}/{rfs['id']}",
        f"{RESOURCES}/{port['id']}",
    ):
        assert client.delete(url).status_code == 204
        assert client.get(url).status_code == 404


def test_a_record_a_running_order_names_is_not_deleted(client: Client, cascade: Cascade) -> None:
    fibre = product(cascade, "terminated")
    order = product_order(cascade, "inProgress", product_id=fibre["id"])
    body = delete(client, f"{PRODUCTS}/{fibre['id']}", "recordInRunningOrder")
    assert order["id"] in body["message"]
    port = resource(cascade, **CEASED_RESOURCE)
    resource_order(cascade, "held", resource_id=port["id"])
    delete(client, f"{RESOURCES}/{port['id']}", "recordInRunningOrder")
    history = product(cascade, "terminated")
    product_order(cascade, "completed", product_id=history["id"])  # ended: history only
    assert client.delete(f"{PRODUCTS}/{history['id']}").status_code == 204


def test_a_product_is_not_terminated_over_active_services(client: Client, cascade: Cascade) -> None:
    """The issue's example: the services would stay active with no product to cease them."""
    access = service(cascade, "active")
    fibre = product(cascade, "active", access)
    url = f"{PRODUCTS}/{fibre['id']}"
    body = patch(client, url, {"status": "terminated"}, "recordsBelowLive")
    assert access["id"] in body["message"]
    other = service(cascade, "active")
    rewired = {"realizingService": [ref(other, "Service")]}
    patch(client, url, rewired, "chainReferenceChanged")
    described = client.patch(url, json={"description": "kept"}, headers=MERGE)
    assert described.status_code == 200, described.text  # other attributes stay patchable


def test_a_service_is_not_ended_under_live_state(client: Client, cascade: Cascade) -> None:
    port = resource(cascade, **LIVE_RESOURCE)
    rfs = service(cascade, "active", resources=(port,))
    url = f"{SERVICES}/{rfs['id']}"
    patch(client, url, {"state": "terminated"}, "recordsBelowLive")
    patch(client, url, {"supportingResource": []}, "chainReferenceChanged")
    cfs = service(cascade, "active", services=(rfs,))
    store(cascade, kinds.PRODUCT, {"name": "x", "realizingService": [ref(cfs, "Service")]})
    patch(client, f"{SERVICES}/{cfs['id']}", {"state": "inactive"}, "recordInUse")


def test_a_service_is_not_ended_while_its_activation_is_on_the_network(
    client: Client, cascade: Cascade
) -> None:
    spec = {"id": "spec-1", "name": "Spec"}
    activation = store(
        cascade, kinds.SERVICE_ACTIVATION, {"serviceSpecification": spec}, state="active"
    )
    same = _service_with_id(cascade, activation["id"])
    patch(client, f"{SERVICES}/{same['id']}", {"state": "terminated"}, "activationLive")


def _service_with_id(cascade: Cascade, id_: str) -> dict[str, Any]:
    """A TMF638 record sharing its activation's id, as SOM records it."""
    services = cascade.repositories[kinds.SERVICE]
    body = {"name": "Access", "serviceSpecification": {"id": "spec-1", "name": "Spec"}}

    def job(connection: Any) -> dict[str, Any]:
        saved = services.insert(connection, body, id_=id_)
        loaded = services.load(connection, saved.id)
        assert loaded is not None
        loaded.document["state"] = "active"
        services.save(connection, loaded)
        return loaded.document

    result: dict[str, Any] = cascade.database.write_sync(job)
    return result


def test_an_ended_record_can_be_patched_and_a_live_one_ended_when_nothing_is_left(
    client: Client, cascade: Cascade
) -> None:
    port = resource(cascade, **CEASED_RESOURCE)
    rfs = service(cascade, "active", resources=(port,))
    ended = client.patch(f"{SERVICES}/{rfs['id']}", json={"state": "terminated"}, headers=MERGE)
    assert ended.status_code == 200, ended.text
    rewired = client.patch(
        f"{SERVICES}/{rfs['id']}", json={"supportingResource": []}, headers=MERGE
    )
    assert rewired.status_code == 200, rewired.text


def test_a_resource_holding_a_pool_value_is_not_deleted(client: Client, cascade: Cascade) -> None:
    """Deleting it would keep the value taken for good: a cease releases it."""
    made_by = "resource order ro-1 item 1"  # the note ROM leaves on what it records
    port = store(
        cascade,
        kinds.RESOURCE,
        {"name": "port", "note": [{"text": made_by}]},
        **CEASED_RESOURCE,
    )
    take(cascade, numbers(1, 10), "ro-1/1")
    assert "rs-numbers" in delete(client, f"{RESOURCES}/{port['id']}", "allocationHeld")["message"]
    cascade.database.write_sync(lambda c: release(c, "ro-1/1"))
    assert client.delete(f"{RESOURCES}/{port['id']}").status_code == 204


def test_a_record_naming_records_that_do_not_exist_is_a_bad_request(client: Client) -> None:
    ghost = {"id": "no-such-service", "href": "http://x/no-such-service"}
    body = {"name": "Fibre", "status": "active", "realizingService": [ghost]}
    refused = client.post(PRODUCTS, json=body)
    assert error_of(refused, 400, "unknownReference")["message"].count("no-such-service") == 1
    supported: dict[str, Any] = {"state": "active", "serviceSpecification": SPEC_REF}
    supported["supportingResource"] = [{"id": "no-such-port", "href": "http://x/no-such-port"}]
    error_of(client.post(SERVICES, json=supported), 400, "unknownReference")
    assert client.get(PRODUCTS).json() == [] and client.get(SERVICES).json() == []
    made = client.post(SERVICES, json={"state": "active", "serviceSpecification": SPEC_REF})
    assert made.status_code == 201, made.text
    body["realizingService"] = [ref(made.json(), "Service")]
    assert client.post(PRODUCTS, json=body).status_code == 201


def test_a_record_given_by_value_without_id_is_named_in_the_refusal(client: Client) -> None:
    """TMF638 v5's `supportingService` is a `ServiceRefOrValue`: an entry by value has no id.
    Cascade's records name records that exist, so it is refused, saying which entry lacks
    what (not "names service None"), through v5 and v4 alike, and nothing is stored."""
    made = client.post(SERVICES, json={"state": "active", "serviceSpecification": SPEC_REF})
    assert made.status_code == 201, made.text
    spec = {**SPEC_REF, "@type": "ServiceSpecificationRef"}
    by_value = {"@type": "Service", "name": "x", "state": "active", "serviceSpecification": spec}
    known = {"@type": "ServiceRef", "id": made.json()["id"]}
    body5 = {
        "@type": "Service",
        "state": "active",
        "serviceSpecification": spec,
        "supportingService": [known, by_value],
    }
    v5 = "/tmf-api/serviceInventory/v5/service"
    body4 = {"state": "active", "serviceSpecification": SPEC_REF, "supportingService": [{}]}
    for url, body, index in ((v5, body5, 1), (SERVICES, body4, 0)):
        message = error_of(client.post(url, json=body), 400, "unknownReference")["message"]
        assert "None" not in message, message
        assert f"supportingService[{index}] has no id" in message, message
    assert [s["id"] for s in client.get(SERVICES).json()] == [made.json()["id"]]


def test_a_patch_of_a_record_not_live_names_records_that_exist(client: Client) -> None:
    """A record not live may be rewired by PATCH (ADR 0031), but only to records that exist,
    by id, as a POST: a 400 naming the entry, and nothing changed."""
    made = client.post(SERVICES, json={"state": "active", "serviceSpecification": SPEC_REF})
    assert made.status_code == 201, made.text
    designed = client.post(
        SERVICES, json={"state": "designed", "serviceSpecification": SPEC_REF}
    ).json()
    url = f"{SERVICES}/{designed['id']}"
    refusals: tuple[tuple[list[dict[str, Any]], str], ...] = (
        ([{}], "supportingService[0] has no id"),
        ([ref(made.json(), "Service"), {"id": "no-such-service"}], "no-such-service"),
    )
    for entries, said in refusals:
        before = client.get(url)
        answer = client.patch(url, json={"supportingService": entries}, headers=MERGE)
        assert said in error_of(answer, 400, "unknownReference")["message"]
        assert client.get(url).headers["ETag"] == before.headers["ETag"]
    rewired = client.patch(
        url, json={"supportingService": [ref(made.json(), "Service")]}, headers=MERGE
    )
    assert rewired.status_code == 200, rewired.text
