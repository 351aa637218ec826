"""A hub subscription's query: event types, filters on the entity, fields; checked up front."""

from __future__ import annotations

import pytest

from cascade.apis import ALL_APIS
from cascade.events.query import Publisher, parse_subscription_query
from cascade.tmf.errors import TmfError
from cascade.tmf.events import event_types


def publishers(code: str) -> list[Publisher]:
    api = next(found for found in ALL_APIS if found.code == code)
    found = []
    for resource in api.resources:
        types = event_types(api.spec, resource.entity, resource.name)
        if types is not None:
            shape = api.spec.shape(resource.entity)
            found.append(Publisher(resource.kind.name, types.payload_key, shape, types))
    return found


ORDERING = publishers("tmf622")
INVENTORY = publishers("tmf637")
ORDER = {"id": "o1", "href": "h", "state": "completed", "relatedParty": [{"id": "acme"}]}


def test_empty_query_wants_everything() -> None:
    query = parse_subscription_query(None, ORDERING)
    assert query.wants("ProductOrderCreateEvent", "productOrder", ORDER)
    assert query.thin("productOrder", ORDER) is None


def test_event_type_and_attribute_filters() -> None:
    query = parse_subscription_query(
        "eventType=ProductOrderStateChangeEvent&event.productOrder.state=completed,failed",
        ORDERING,
    )
    assert query.wants("ProductOrderStateChangeEvent", "productOrder", ORDER)
    assert not query.wants("ProductOrderCreateEvent", "productOrder", ORDER)
    assert not query.wants(
        "ProductOrderStateChangeEvent", "productOrder", {**ORDER, "state": "inProgress"}
    )
    # A filter on product orders leaves cancel tasks out.
    assert not query.wants("ProductOrderStateChangeEvent", "cancelProductOrder", ORDER)


def test_dotted_paths_operators_and_spaces() -> None:
    query = parse_subscription_query(
        "eventType = ProductOrderCreateEvent & event.productOrder.relatedParty.id=acme", ORDERING
    )
    assert query.wants("ProductOrderCreateEvent", "productOrder", ORDER)
    assert not query.wants(
        "ProductOrderCreateEvent", "productOrder", {**ORDER, "relatedParty": [{"id": "other"}]}
    )
    ne = parse_subscription_query("event.productOrder.state.ne=completed", ORDERING)
    assert not ne.wants("ProductOrderStateChangeEvent", "productOrder", ORDER)


def test_fields_thin_the_entity() -> None:
    query = parse_subscription_query("fields=event.productOrder.state", ORDERING)
    assert query.thin("productOrder", ORDER) == {"id": "o1", "href": "h", "state": "completed"}
    # With one publishing resource, names need no qualification.
    single = parse_subscription_query("fields=status&status=active", INVENTORY)
    product = {"id": "p", "href": "h", "status": "active", "name": "n"}
    assert single.wants("ProductCreateEvent", "product", product)
    assert single.thin("product", product) == {"id": "p", "href": "h", "status": "active"}


@pytest.mark.parametrize(
    "text",
    [
        "eventType=NoSuchEvent",
        "eventType=",
        "event.productOrder.nope=1",
        "event.nothing.state=1",
        "state=completed",  # two resources publish here: which one?
        "fields=event.productOrder.nope",
        "event.productOrder.state.gt=a,b",
        "a=b=c&&&",
        "x" * 3000,
    ],
)
def test_bad_queries_are_refused(text: str) -> None:
    with pytest.raises(TmfError) as raised:
        parse_subscription_query(text, ORDERING)
    assert raised.value.status == 400


def test_query_must_be_text() -> None:
    with pytest.raises(TmfError):
        parse_subscription_query(["eventType"], ORDERING)


def test_short_field_names_only_where_the_api_publishes_one_resource() -> None:
    """docs/events.md: `fields=state` is a 400 on TMF622's hub (product orders and cancel
    tasks both publish), `fields=event.productOrder.state` is what works there."""
    with pytest.raises(TmfError) as refused:
        parse_subscription_query("fields=state", ORDERING)
    assert refused.value.status == 400
    assert "event.cancelProductOrder.state" in refused.value.message
    named = parse_subscription_query("fields=event.productOrder.state", ORDERING)
    assert named.thin("productOrder", ORDER) == {"id": "o1", "href": "h", "state": "completed"}
    assert parse_subscription_query("fields=status", INVENTORY).thin("product", {"id": "p"})
