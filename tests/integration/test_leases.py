"""The one lease-claim helper on both backends, and its callers with conditions of their own."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from cascade.bootstrap import Cascade
from cascade.storage import leases, work
from cascade.storage.tables import work_item

KIND = "tmf622.productOrder"
OTHER = "tmf641.serviceOrder"
KEY = (work_item.c.kind, work_item.c.entity_id)


def leases_held(connection: Connection) -> dict[str, tuple[str | None, int | None]]:
    rows = connection.execute(
        select(work_item.c.entity_id, work_item.c.lease_owner, work_item.c.lease_until_ms)
    ).all()
    return {row.entity_id: (row.lease_owner, row.lease_until_ms) for row in rows}


def test_claim_leases_exactly_the_rows_it_returns(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        for entity_id, due in (("c", 3_000), ("a", 1_000), ("b", 2_000), ("late", 9_000)):
            work.schedule(connection, KIND, entity_id, due_ms=due)
        rows = leases.claim_due(connection, work_item, KEY, None, "w", 500, 2, now=5_000)
        assert [row.entity_id for row in rows] == ["a", "b"]  # oldest due first, `limit` of them
        assert leases_held(connection) == {
            "a": ("w", 5_500),
            "b": ("w", 5_500),
            "c": (None, None),
            "late": (None, None),
        }

    cascade.database.write_sync(scenario)


def test_a_leased_row_is_free_again_only_when_its_lease_ended(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        work.schedule(connection, KIND, "a", due_ms=1_000)
        (first,) = leases.claim_due(connection, work_item, KEY, None, "w1", 500, 10, now=2_000)
        assert leases.next_free(connection, work_item) == 2_500
        for moment in (2_000, 2_499, 2_500):
            assert (
                leases.claim_due(connection, work_item, KEY, None, "w2", 500, 10, now=moment) == []
            )
        (again,) = leases.claim_due(connection, work_item, KEY, None, "w2", 500, 10, now=2_501)
        assert (first.entity_id, again.entity_id) == ("a", "a")
        assert leases_held(connection) == {"a": ("w2", 3_001)}

    cascade.database.write_sync(scenario)


def test_only_rows_of_the_condition_are_claimed_in_the_order_asked(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        work.schedule(connection, KIND, "a", due_ms=1_000)
        work.schedule(connection, OTHER, "z", due_ms=1_500)
        work.schedule(connection, OTHER, "y", due_ms=2_000)
        mine = work_item.c.kind == OTHER
        columns, newest_first = (
            (work_item.c.entity_id, work_item.c.kind),
            (work_item.c.due_ms.desc(),),
        )
        rows = leases.claim_due(
            connection, work_item, KEY, mine, "w", 500, 10, columns=columns, order_by=newest_first
        )
        assert [tuple(row) for row in rows] == [("y", OTHER), ("z", OTHER)]
        assert leases_held(connection)["a"] == (None, None)

    cascade.database.write_sync(scenario)


def test_a_row_is_free_from_its_due_time_or_its_lease_end_whichever_is_later(
    cascade: Cascade,
) -> None:
    def scenario(connection: Connection) -> None:
        assert leases.next_free(connection, work_item) is None
        work.schedule(connection, KIND, "a", due_ms=8_000)
        stale = work_item.c.entity_id == "a"  # a lease that ended before the row falls due
        connection.execute(update(work_item).where(stale).values(lease_until_ms=4_000))
        assert leases.next_free(connection, work_item) == 8_000
        work.schedule(connection, OTHER, "b", due_ms=1_000)
        leases.claim_due(connection, work_item, KEY, None, "w", 5_000, 10, now=2_000)
        assert leases.next_free(connection, work_item) == 7_000  # b's lease ends first
        assert leases.next_free(connection, work_item, work_item.c.kind == KIND) == 8_000
        assert work.next_due(connection) == 7_000

    cascade.database.write_sync(scenario)
