"""List queries at the storage level, on SQLite and PostgreSQL: each SQL path gives one answer.

The same conditions are answered through indexed columns, the term table or a JSON scan, and
must agree with evaluating them in memory.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from sqlalchemy import Connection

from cascade.apis.kinds import PRODUCT_ORDER
from cascade.apis.v4.ordering import TMF622
from cascade.bootstrap import Cascade
from cascade.tmf.matching import matches_all
from cascade.tmf.query import parse_list_query

SHAPE = TMF622.spec.shape("ProductOrder")
STATES = ("acknowledged", "inProgress", "completed", "failed")
RANGES = ("gt", "gte", "lt", "lte")


def order(n: int) -> dict[str, Any]:
    return {
        "id": f"order-{n:03d}",
        "href": f"http://x/productOrder/order-{n:03d}",
        "state": STATES[n % 4],
        "orderDate": f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z",
        "externalId": f"ext-{n % 7}",
        "priority": str(n % 3),
        "requestedStartDate": f"2026-02-{1 + n % 28:02d}T00:00:00.000Z",
        "relatedParty": [{"id": f"party-{n % 5}", "@referredType": "Individual"}],
        "productOrderItem": [
            {"id": "1", "action": "add", "state": STATES[(n + 1) % 4], "quantity": n % 6},
            {"id": "2", "action": "modify", "state": "completed"},
        ],
    }


ORDERS = [order(n) for n in range(60)]


@pytest.fixture
def seeded(cascade: Cascade) -> Cascade:
    orders = cascade.repositories[PRODUCT_ORDER]

    def seed(connection: Connection) -> None:
        for document in ORDERS:
            orders.insert_as_is(connection, document)

    cascade.database.write_sync(seed)
    return cascade


QUERIES = [
    [("state", "completed")],  # indexed column
    [("state", "completed,failed")],
    [("state.ne", "completed")],
    [("orderDate.gte", "2026-01-10T00:00:00+02:00"), ("orderDate.lt", "2026-01-20T00:00:00Z")],
    [("externalId", "ext-3")],  # indexed lookup column
    [("relatedParty.id", "party-2")],  # term table
    [("relatedParty.id.ne", "party-2")],
    [("productOrderItem.state", "failed")],  # term table, into an array
    [("productOrderItem.quantity.gte", "4")],  # JSON scan, numbers
    [("requestedStartDate.lt", "2026-02-05T00:00:00Z")],  # JSON scan, instants
    [("priority", "1"), ("relatedParty.id", "party-1,party-3")],
    [("productOrderItem.action", '"modify"')],
    [("id", "order-007,order-042,order-999")],  # the (kind, id) index
    [("id", "order-007"), ("state", "completed,failed")],
]


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p))
def test_sql_agrees_with_memory(seeded: Cascade, params: list[tuple[str, str]]) -> None:
    orders = seeded.repositories[PRODUCT_ORDER]
    query = parse_list_query([*params, ("limit", "1000")], SHAPE)
    docs, total = seeded.database.read_sync(lambda c: orders.list(c, query))
    matching = [o for o in ORDERS if matches_all(o, query.conditions)]
    if any(c.attribute == "orderDate" and c.op in RANGES for c in query.conditions):
        matching.sort(key=lambda o: o["orderDate"])  # a date range lists by date, then pk
    expected = [o["id"] for o in matching]

    assert [msgspec.json.decode(d)["id"] for d in docs] == expected
    assert total == len(expected)
    assert expected, "each query should select something"


def test_sort_and_count_with_paging(seeded: Cascade) -> None:
    orders = seeded.repositories[PRODUCT_ORDER]
    query = parse_list_query(
        [("sort", "-orderDate,externalId"), ("offset", "5"), ("limit", "10"), ("state", "failed")],
        SHAPE,
    )
    docs, total = seeded.database.read_sync(lambda c: orders.list(c, query))
    failed = sorted(
        (o for o in ORDERS if o["state"] == "failed"),
        key=lambda o: (o["orderDate"], o["externalId"]),
    )
    failed.sort(key=lambda o: o["orderDate"], reverse=True)

    assert total == len(failed)
    assert [msgspec.json.decode(d)["orderDate"] for d in docs] == [
        o["orderDate"] for o in failed[5:15]
    ]
