"""One repository per kind, whatever number of API versions serve it: a second view of a kind
shares its rows and records its own events beside the first's."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import Connection, func, select

from cascade.apis import kinds
from cascade.apis.v4 import TMF622
from cascade.bootstrap import Cascade
from cascade.repositories import Repositories
from cascade.storage.tables import entity, entity_term, event_outbox
from tests.conftest import PUBLIC_URL

# A second version of TMF622, as v5 will be: another code, views of the same kinds.
SECOND = replace(TMF622, code="tmf622second")


def test_two_views_of_a_kind_share_one_repository() -> None:
    repositories = Repositories.of_apis([TMF622, SECOND], PUBLIC_URL)
    orders = repositories[kinds.PRODUCT_ORDER]
    assert [r.api_code for r in orders.recorders] == ["tmf622", "tmf622second"]
    # The first view decides where documents point; each view keeps its own hub.
    assert orders.href_of("x").endswith("/productOrderingManagement/v4/productOrder/x")
    assert repositories[TMF622.hub.kind] is not repositories[SECOND.hub.kind]


def test_a_write_is_one_row_announced_in_each_view_subscribed_to(cascade: Cascade) -> None:
    repositories = Repositories.of_apis([TMF622, SECOND], PUBLIC_URL)
    orders = repositories[kinds.PRODUCT_ORDER]
    body = {"productOrderItem": [{"id": "1", "action": "add"}]}

    def write(connection: Connection) -> str:
        for api in (TMF622, SECOND):  # somebody listens to each version's hub
            repositories[api.hub.kind].insert(connection, {"callback": "http://127.0.0.1:9/x"})
        return orders.insert(connection, body).id

    order_id = cascade.database.write_sync(write)

    def stored(connection: Connection) -> tuple[list[str], list[tuple[str, str]]]:
        kinds_stored = connection.execute(select(entity.c.kind).where(entity.c.id == order_id))
        events = connection.execute(
            select(event_outbox.c.api, event_outbox.c.envelope).where(
                event_outbox.c.entity_id == order_id
            )
        )
        found = [(str(api), str(json.loads(text)["eventType"])) for api, text in events]
        return [str(kind) for kind in kinds_stored.scalars()], found

    rows, events = cascade.database.read_sync(stored)
    assert rows == ["productOrder"]
    assert sorted(events) == [
        ("tmf622", "ProductOrderCreateEvent"),
        ("tmf622second", "ProductOrderCreateEvent"),
    ]


def test_insert_absent_stores_once_and_leaves_a_taken_id_alone(cascade: Cascade) -> None:
    """A step run twice: the second insert under the same id writes nothing, terms included."""
    products = cascade.repositories[kinds.PRODUCT]

    def write(connection: Connection, name: str) -> bool:
        body = {"name": name, "status": "active", "relatedParty": [{"id": "p1"}]}
        return products.insert_absent(connection, body, id_="prod-1") is not None

    assert cascade.database.write_sync(lambda c: write(c, "first"))
    assert not cascade.database.write_sync(lambda c: write(c, "second"))

    def stored(connection: Connection) -> tuple[list[str], int]:
        docs = connection.execute(select(entity.c.doc).where(entity.c.id == "prod-1")).scalars()
        terms = connection.execute(
            select(func.count())
            .select_from(entity_term)
            .join(entity, entity.c.pk == entity_term.c.entity_pk)
            .where(entity.c.id == "prod-1")
        ).scalar_one()
        return [json.loads(doc)["name"] for doc in docs], int(terms)

    names, terms = cascade.database.read_sync(stored)
    assert names == ["first"]
    assert terms == len(products.table.indexed_values({"relatedParty": [{"id": "p1"}]}).terms)
