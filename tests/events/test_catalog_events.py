"""Catalog writes publish create, attribute change (with fieldPath), state change and delete
events; one entity's events arrive in the order of its changes."""

from __future__ import annotations

from typing import Any

from tests.api.official_schemas import OfficialSchemas
from tests.events.conftest import BASES, OFFERING, SPEC_FILES, Listener, Received, subscribe
from tests.fulfilment.conftest import Chain

SERVICE_SPEC = f"{BASES['tmf633']}/serviceSpecification"
MERGE = {"Content-Type": "application/merge-patch+json"}


def create(chain: Chain, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = chain.client.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def patch(chain: Chain, path: str, body: dict[str, Any]) -> None:
    response = chain.client.patch(path, json=body, headers=MERGE)
    assert response.status_code == 200, response.text


def of(entity_id: str, key: str) -> Any:
    return lambda found: [r for r in found if r.event["event"][key]["id"] == entity_id]


def test_product_offering_lifecycle_events(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    subscribe(chain.client, "tmf620", listener.url())
    offering = create(chain, OFFERING, {"name": "Gigabit", "lifecycleStatus": "In design"})
    url = f"{OFFERING}/{offering['id']}"
    patch(chain, url, {"name": "Gigabit Plus"})
    patch(chain, url, {"lifecycleStatus": "Launched"})
    assert chain.client.delete(url).status_code == 204
    mine = of(offering["id"], "productOffering")
    found: list[Received] = mine(listener.wait(lambda f: len(mine(f)) >= 4))
    assert [r.event_type for r in found] == [
        "ProductOfferingCreateEvent",
        "ProductOfferingAttributeValueChangeEvent",
        "ProductOfferingStateChangeEvent",
        "ProductOfferingDeleteEvent",
    ]
    for r in found:
        official.check(SPEC_FILES["tmf620"], r.event_type, r.event)
    create_event, change, state, deleted = (r.event for r in found)
    assert create_event["event"]["productOffering"]["name"] == "Gigabit"
    assert change["fieldPath"] == "name", "only the patched attribute (not lastUpdate)"
    assert change["event"]["productOffering"]["name"] == "Gigabit Plus"
    assert "fieldPath" not in state
    assert state["event"]["productOffering"]["lifecycleStatus"] == "Launched"
    assert deleted["event"]["productOffering"]["id"] == offering["id"]
    assert len({r.event["eventId"] for r in found}) == 4


def test_service_specification_create_and_change_events(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    subscribe(chain.client, "tmf633", listener.url())
    spec = create(chain, SERVICE_SPEC, {"name": "CFS Voice", "lifecycleStatus": "In design"})
    url = f"{SERVICE_SPEC}/{spec['id']}"
    patch(chain, url, {"description": "voice", "version": "2"})
    patch(chain, url, {"lifecycleStatus": "Active"})  # TMF633 has no state change event
    mine = of(spec["id"], "serviceSpecification")
    found = mine(listener.wait(lambda f: len(mine(f)) >= 3))
    assert [r.event_type for r in found] == [
        "ServiceSpecificationCreateEvent",
        "ServiceSpecificationChangeEvent",
        "ServiceSpecificationChangeEvent",
    ]
    for r in found:
        official.check(SPEC_FILES["tmf633"], r.event_type, r.event)
    assert found[1].event["event"]["serviceSpecification"]["version"] == "2"
    assert [r.event.get("fieldPath") for r in found[1:]] in (
        [None, None],  # fieldPath is not in TMF633's ChangeEvent definition
        ["description,version", "lifecycleStatus"],
    )


def test_one_entitys_events_arrive_in_the_order_of_its_changes(
    chain: Chain, listener: Listener
) -> None:
    subscribe(
        chain.client,
        "tmf620",
        listener.url(),
        query="eventType=ProductOfferingAttributeValueChangeEvent",
    )
    offering = create(chain, OFFERING, {"name": "Ordered", "lifecycleStatus": "In design"})
    url = f"{OFFERING}/{offering['id']}"
    expected = [f"v{n:02d}" for n in range(1, 31)]
    for description in expected:
        patch(chain, url, {"description": description})
    found = listener.wait(lambda f: len(f) >= 30, what="30 change events")
    descriptions = [r.event["event"]["productOffering"]["description"] for r in found]
    assert descriptions == expected, "one entity's changes must arrive in order"


def test_field_path_names_every_changed_attribute(chain: Chain, listener: Listener) -> None:
    subscribe(
        chain.client,
        "tmf620",
        listener.url(),
        query="eventType=ProductOfferingAttributeValueChangeEvent",
    )
    offering = create(chain, OFFERING, {"name": "Paths", "lifecycleStatus": "In design"})
    url = f"{OFFERING}/{offering['id']}"
    patch(chain, url, {"name": "Paths 2", "description": "d", "isBundle": False})
    patch(chain, url, {"name": "Paths 2"})  # no change: no event
    patch(chain, url, {"lifecycleStatus": "Launched", "version": "2"})
    found = listener.wait(lambda r: len(r) >= 2, what="two change events")
    assert [r.event["fieldPath"] for r in found] == ["description,isBundle,name", "version"]
