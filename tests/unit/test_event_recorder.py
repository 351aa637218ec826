"""Which TMF events a change publishes, read from the official swagger of each API."""

from __future__ import annotations

import json

from cascade.apis import ALL_APIS
from cascade.repositories.events import EventRecorder, PendingEvent
from cascade.tmf.declarations import ApiSpec
from cascade.tmf.events import event_types


def api(code: str) -> ApiSpec:
    return next(found for found in ALL_APIS if found.code == code)


def recorder(code: str, resource: str) -> EventRecorder:
    spec = api(code).spec
    declared = api(code).resource(resource)
    types = event_types(spec, declared.entity, resource)
    assert types is not None
    return EventRecorder(
        spec, code, declared.kind.name, types, state=declared.kind.state, ignored=["lastUpdate"]
    )


def types_of(events: list[PendingEvent]) -> list[str]:
    return [event.event_type for event in events]


def test_types_and_payload_keys_come_from_the_swagger() -> None:
    order = event_types(api("tmf622").spec, "ProductOrder", "productOrder")
    assert order is not None
    assert order.payload_key == "productOrder"
    assert order.state_change == "ProductOrderStateChangeEvent"
    assert order.information_required == "ProductOrderInformationRequiredEvent"
    assert order.milestone is None
    service_order = event_types(api("tmf641").spec, "ServiceOrder", "serviceOrder")
    assert service_order is not None
    assert service_order.milestone == "ServiceOrderMilestoneEvent"
    assert service_order.jeopardy == "ServiceOrderJeopardyEvent"
    # TMF633 names its attribute change event `...ChangeEvent` and has no state change event.
    spec = event_types(api("tmf633").spec, "ServiceSpecification", "serviceSpecification")
    assert spec is not None
    assert spec.change == "ServiceSpecificationChangeEvent"
    assert spec.state_change is None
    monitor = event_types(api("tmf640").spec, "Monitor", "monitor")
    assert monitor is not None and monitor.payload_key == "monitor"


def test_state_change_and_attribute_change_are_told_apart() -> None:
    orders = recorder("tmf622", "productOrder")
    before = {"id": "1", "state": "acknowledged", "note": []}
    only_state = orders.events_of_change(before, {**before, "state": "inProgress"})
    assert types_of(only_state) == ["ProductOrderStateChangeEvent"]
    both = orders.events_of_change(before, {**before, "state": "completed", "note": [{"a": 1}]})
    assert types_of(both) == [
        "ProductOrderStateChangeEvent",
        "ProductOrderAttributeValueChangeEvent",
    ]
    assert both[1].field_path == "note"
    added = orders.events_of_change(before, {**before, "description": "x", "category": "y"})
    assert [(e.event_type, e.field_path) for e in added] == [
        ("ProductOrderAttributeValueChangeEvent", "category,description")
    ]


def test_nothing_changed_publishes_nothing() -> None:
    catalog = recorder("tmf620", "productOffering")
    document = {"id": "1", "name": "n", "lastUpdate": "2026-01-01T00:00:00.000Z"}
    touched = {**document, "lastUpdate": "2026-01-02T00:00:00.000Z"}
    assert catalog.events_of_change(document, touched) == []


def test_entering_pending_asks_for_information() -> None:
    orders = recorder("tmf622", "productOrder")
    before = {"id": "1", "state": "inProgress"}
    events = orders.events_of_change(before, {**before, "state": "pending"})
    assert types_of(events) == [
        "ProductOrderStateChangeEvent",
        "ProductOrderInformationRequiredEvent",
    ]


def test_new_milestones_and_jeopardy_alerts_have_their_events() -> None:
    orders = recorder("tmf641", "serviceOrder")
    before = {"id": "1", "state": "inProgress", "milestone": [{"id": "m1"}]}
    after = {**before, "milestone": [{"id": "m1"}, {"id": "m2"}], "jeopardyAlert": [{"id": "j"}]}
    assert types_of(orders.events_of_change(before, after)) == [
        "ServiceOrderAttributeValueChangeEvent",
        "ServiceOrderMilestoneEvent",
        "ServiceOrderJeopardyEvent",
    ]


def test_tmf622_v5_lists_have_their_events_and_v4_none() -> None:
    """TMF622 v5 names the lists `productOrderMilestone`...; v4 has no such events."""
    before = {"id": "1", "state": "inProgress", "productOrderMilestone": [{"id": "m1"}]}
    after = {
        **before,
        "productOrderMilestone": [{"id": "m1"}, {"id": "m2"}],
        "productOrderJeopardyAlert": [{"id": "j"}],
        "productOrderErrorMessage": [{"code": "itemFailed"}],
    }
    assert types_of(recorder("tmf622v5", "productOrder").events_of_change(before, after)) == [
        "ProductOrderAttributeValueChangeEvent",
        "ProductOrderMilestoneEvent",
        "ProductOrderJeopardyAlertEvent",
        "ProductOrderErrorMessageEvent",
    ]
    assert types_of(recorder("tmf622", "productOrder").events_of_change(before, after)) == [
        "ProductOrderAttributeValueChangeEvent"
    ]
    unchanged = {**after, "description": "x"}  # the lists did not grow: no event of theirs
    assert types_of(recorder("tmf622v5", "productOrder").events_of_change(after, unchanged)) == [
        "ProductOrderAttributeValueChangeEvent"
    ]


def test_envelope_has_only_what_its_definition_lists() -> None:
    orders = recorder("tmf622", "productOrder")
    events = orders.events_of_change({"id": "1", "state": "a"}, {"id": "1", "state": "b"})

    text = orders.envelope(events[0], "1", "2026-11-27T10:00:00.000Z", b'{"id":"1"}')
    envelope = json.loads(text)
    assert envelope["eventType"] == "ProductOrderStateChangeEvent"
    assert envelope["event"] == {"productOrder": {"id": "1"}}
    assert envelope["timeOcurred"] == envelope["eventTime"]  # the spec's own spelling
    assert "fieldPath" not in envelope
    assert set(envelope) <= set(api("tmf622").spec.properties("ProductOrderStateChangeEvent"))
