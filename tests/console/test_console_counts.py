"""The console's counts per state over a date range, on both databases: one indexed count per
state (DocumentTable.count_states with the kind's states) gives what the grouped count gives."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.console.listing import ORDER_KINDS
from tests.api.chain_records import store
from tests.console.helpers import Client

ITEM = {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
DAYS = {  # orderDate day -> the states of that day's orders
    "2026-03-01": ["completed", "failed"],
    "2026-03-02": ["completed", "completed", "inProgress", "held"],
    "2026-03-03": ["cancelled"],
    "2026-03-04": ["completed", "acknowledged"],
}


def seeded(cascade: Cascade) -> None:
    for day, states in DAYS.items():
        for n, state in enumerate(states):
            body = {"productOrderItem": [ITEM]}
            store(
                cascade, kinds.PRODUCT_ORDER, body, state=state, orderDate=f"{day}T1{n}:00:00.000Z"
            )


def test_counts_per_state_of_a_date_range_match_the_grouped_count(cascade: Cascade) -> None:
    seeded(cascade)
    resource = cascade.resources["tmf622.productOrder"]
    window = [
        ("orderDate.gte", "2026-03-02T00:00:00.000Z"),
        ("orderDate.lt", "2026-03-04T00:00:00.000Z"),
    ]
    states = ORDER_KINDS["productOrder"].states
    each = asyncio.run(resource.count_states(window, None, states))
    grouped = asyncio.run(resource.count_states(window, None))
    assert each == grouped == {"completed": 2, "inProgress": 1, "held": 1, "cancelled": 1}
    everything = asyncio.run(resource.count_states([], None, states))
    assert everything == asyncio.run(resource.count_states([], None))
    assert sum(everything.values()) == sum(len(each) for each in DAYS.values())
    one_side = asyncio.run(resource.count_states(window[:1], None, states))
    assert one_side == {
        "completed": 3,
        "inProgress": 1,
        "held": 1,
        "cancelled": 1,
        "acknowledged": 1,
    }


def test_the_list_of_a_date_range_counts_its_window(client: Client, cascade: Cascade) -> None:
    seeded(cascade)
    page = client.get("/console/", params={"from": "2026-03-01", "to": "2026-03-03"}).text
    assert "6 found" in page
    assert "completed <b>3</b>" in page and "failed <b>1</b>" in page and "held <b>1</b>" in page
    assert "cancelled <b>" not in page  # the 3rd is outside the window


def test_a_state_of_a_date_range_is_counted_from_the_state_date_index(cascade: Cascade) -> None:
    if cascade.database.dialect != "sqlite":
        return  # PostgreSQL's plan depends on its statistics; the counts above hold there too
    sql = (
        "EXPLAIN QUERY PLAN SELECT count(*) FROM entity WHERE kind = 'productOrder'"
        " AND state = 'completed' AND date >= '2026-03-01' AND date < '2026-03-04'"
    )
    plan = cascade.database.read_sync(lambda c: c.execute(text(sql)).fetchall())
    assert "COVERING INDEX ix_entity_kind_state_date" in " ".join(str(row[3]) for row in plan)
