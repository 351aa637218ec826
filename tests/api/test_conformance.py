"""The bodies the TM Forum conformance kits (CTK) post: minimal, with only what the profile
makes mandatory, and a `*RefOrValue` given by value (no id, no href) where the item creates
it. Each is accepted, and its answer, its GET and its list carry every attribute the
profile makes mandatory in responses (docs/conformance.md)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.tmf.errors import TmfError
from tests.api.contract import api_by_code
from tests.api.official_schemas import OfficialSchemas

Client = TestClient[Any]

SPEC = {"id": "spec-1", "href": "http://catalog.example/spec-1"}
VALUE = {"name": "a value to create", "@type": "LogicalResource"}

# (api, resource, body): what a CTK posts, at its smallest.
MINIMAL: list[tuple[str, str, dict[str, Any]]] = [
    (
        "tmf622",
        "productOrder",
        {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "po-1"}}]},
    ),
    (
        "tmf641",
        "serviceOrder",
        {
            "serviceOrderItem": [
                {"id": "1", "action": "add", "service": {"serviceSpecification": SPEC}}
            ]
        },
    ),
    (
        "tmf652",
        "resourceOrder",
        {"orderItem": [{"id": "1", "action": "add", "resource": {"resourceSpecification": SPEC}}]},
    ),
    ("tmf640", "service", {"state": "active", "serviceSpecification": SPEC}),
    (
        "tmf702",
        "resource",
        {
            "resourceSpecification": {"id": "spec-1"},
            "place": {"role": "site", "name": "Main Street 1"},
            "resourceRelationship": [{"relationshipType": "contains", "resource": VALUE}],
        },
    ),
    ("tmf637", "product", {"status": "created"}),
    (
        "tmf638",
        "service",
        {
            "state": "active",
            "serviceSpecification": SPEC,
            "serviceRelationship": [{"relationshipType": "dependsOn", "service": {"name": "x"}}],
        },
    ),
    (
        "tmf639",
        "resource",
        {
            "name": "vlan-7",
            "resourceRelationship": [{"relationshipType": "contains", "resource": VALUE}],
        },
    ),
    ("tmf620", "catalog", {"name": "c"}),
    ("tmf620", "category", {"name": "c"}),
    ("tmf620", "productOffering", {"name": "c"}),
    ("tmf620", "productOfferingPrice", {"name": "c"}),
    ("tmf620", "productSpecification", {"name": "c"}),
    ("tmf633", "serviceCatalog", {"name": "c"}),
    ("tmf633", "serviceCategory", {"name": "c"}),
    ("tmf633", "serviceCandidate", {"name": "c", "serviceSpecification": {"id": "cfs-1"}}),
    ("tmf633", "serviceSpecification", {"name": "c"}),
    ("tmf634", "resourceCatalog", {"name": "c"}),
    ("tmf634", "resourceCategory", {"name": "c"}),
    ("tmf634", "resourceCandidate", {"name": "c"}),
    ("tmf634", "resourceSpecification", {"name": "c"}),
]

# The cancel tasks name an order the same test places first.
CANCELS = [
    ("tmf622", "cancelProductOrder", "productOrder", 0),
    ("tmf641", "cancelServiceOrder", "serviceOrder", 1),
    ("tmf652", "cancelResourceOrder", "resourceOrder", 2),
]


def post(client: Client, code: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body`; the entity it made (through the monitor's sourceHref on a 202)."""
    api = api_by_code(code)
    response = client.post(f"{api.base_path}/{name}", json=body)
    assert response.status_code in (201, 202), response.text
    answer: dict[str, Any] = response.json()
    if response.status_code == 202:
        answer = client.get(answer["sourceHref"]).json()
    return answer


def assert_mandatory(
    client: Client, official: OfficialSchemas, code: str, name: str, answer: dict[str, Any]
) -> None:
    """The answer, its GET and every listed entity carry the profile's mandatory attributes."""
    api = api_by_code(code)
    resource = api.resource(name)
    mandatory = api.spec.mandatory(resource.entity)
    url = f"{api.base_path}/{name}"
    listed = client.get(url).json()
    assert [e["id"] for e in listed] == [answer["id"]]
    for document in (answer, client.get(f"{url}/{answer['id']}").json(), *listed):
        assert mandatory <= set(document), sorted(mandatory - set(document))
        official.check(api.spec_file, resource.entity, document)


@pytest.mark.parametrize(("code", "name", "body"), MINIMAL, ids=[f"{c}.{n}" for c, n, _ in MINIMAL])
def test_ctk_minimal_create_is_accepted_and_complete(
    client: Client, official: OfficialSchemas, code: str, name: str, body: dict[str, Any]
) -> None:
    answer = post(client, code, name, body)
    assert_mandatory(client, official, code, name, answer)


@pytest.mark.parametrize(
    ("code", "name", "reference", "order"), CANCELS, ids=[c[1] for c in CANCELS]
)
def test_ctk_minimal_cancel_is_accepted_and_complete(
    client: Client, official: OfficialSchemas, code: str, name: str, reference: str, order: int
) -> None:
    _, order_name, order_body = MINIMAL[order]
    placed = post(client, code, order_name, order_body)
    answer = post(client, code, name, {reference: {"id": placed["id"]}})
    assert_mandatory(client, official, code, name, answer)


@pytest.mark.parametrize("code", sorted({c for c, _, _ in MINIMAL}))
def test_ctk_hub_subscription(client: Client, official: OfficialSchemas, code: str) -> None:
    api = api_by_code(code)
    response = client.post(f"{api.base_path}/hub", json={"callback": "http://127.0.0.1:9/x"})
    assert response.status_code == 201, response.text
    official.check(api.spec_file, "EventSubscription", response.json())


def test_an_answer_without_a_mandatory_attribute_is_refused() -> None:
    """The overlay binds answers: a service without its serviceDate, an order item without
    its state, are not what TMF638 and TMF622 answer, while a request body needs neither."""
    inventory = api_by_code("tmf638").spec
    service: dict[str, Any] = {"id": "s", "href": "h", "@type": "Service", "state": "active"}
    service["serviceSpecification"] = {"id": "spec-1"}
    with pytest.raises(TmfError, match="serviceDate"):
        inventory.validate_response("Service", service)
    inventory.validate_response("Service", {**service, "serviceDate": "2026-01-01T00:00:00Z"})
    ordering = api_by_code("tmf622").spec
    item = {"id": "1", "action": "add"}
    ordering.validate("ProductOrder_Create", {"productOrderItem": [item]})
    order: dict[str, Any] = {"id": "o", "href": "h", "@type": "ProductOrder", "state": "held"}
    order.update(orderDate="2026-01-01T00:00:00Z", productOrderItem=[item])
    with pytest.raises(TmfError, match=r"productOrderItem\[0\] must contain .*state"):
        ordering.validate_response("ProductOrder", order)
    order["productOrderItem"] = [{**item, "state": "acknowledged"}]
    ordering.validate_response("ProductOrder", order)


def test_an_add_items_value_needs_no_id_but_a_reference_still_does() -> None:
    """Lifting id/href from a RefOrValue leaves every plain *Ref as the swagger has it."""
    ordering = api_by_code("tmf652").spec
    item = {"id": "1", "action": "add", "resource": {"name": "new"}}
    ordering.validate("ResourceOrder_Create", {"orderItem": [item]})
    with pytest.raises(TmfError, match="id"):
        ordering.validate(
            "ResourceOrder_Create", {"orderItem": [{**item, "resourceSpecification": {}}]}
        )
