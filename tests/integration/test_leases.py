"""The one lease-claim helper on both backends, and its callers with conditions of their own."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from cascade.bootstrap import Cascade
from cascade.events import store
from cascade.storage import leases, work
from cascade.storage.tables import event_delivery, work_item

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


# --- event deliveries: one at a time per line (subscription and entity) ------------------------


def delivery(subscription: str, entity: str, seq: int) -> store.NewDelivery:
    return store.NewDelivery(
        "tmf620.hub", subscription, entity, seq, f"ev-{seq}", "Created", "http://x.test/cb", "{}"
    )


def queue(connection: Connection) -> None:
    """Two lines of subscription s1 (e1: events 1 and 2; e2: event 3) and one of s2 (event 4)."""
    news = [delivery("s1", "e1", 1), delivery("s1", "e1", 2), delivery("s1", "e2", 3)]
    store.add_deliveries(connection, [*news, delivery("s2", "e1", 4)], due=0)
    store.save_secret(connection, "tmf620.hub", "s1", "secret-1")


def claimed(connection: Connection, owner: str, limit: int = 10, **more: list[str]) -> list[int]:
    deliveries = store.claim(connection, owner, lease_ms=60_000, limit=limit, **more)
    return [d.event_seq for d in deliveries]


def test_deliveries_are_claimed_in_order_with_their_secrets(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        queue(connection)
        deliveries = store.claim(connection, "o", lease_ms=60_000, limit=10)
        assert [(d.event_seq, d.secret) for d in deliveries] == [
            (1, "secret-1"),
            (2, "secret-1"),
            (3, "secret-1"),
            (4, None),
        ]
        owners = connection.execute(select(event_delivery.c.lease_owner)).scalars().all()
        assert owners == ["o"] * 4
        assert claimed(connection, "p") == []

    cascade.database.write_sync(scenario)


def test_a_line_waits_while_its_earlier_delivery_is_leased_waiting_or_parked(
    cascade: Cascade,
) -> None:
    def scenario(connection: Connection) -> None:
        queue(connection)
        assert claimed(connection, "o", limit=1) == [1]
        assert claimed(connection, "p", exclude=["s2"]) == [3]  # 2 waits behind leased 1
        assert claimed(connection, "q") == [4]
        one = event_delivery.c.event_seq == 1
        connection.execute(  # 1 failed: it comes back later, and 2 still waits for it
            update(event_delivery)
            .where(one)
            .values(lease_owner=None, lease_until_ms=None, due_ms=store.now_ms() + 60_000)
        )
        assert claimed(connection, "p") == []
        connection.execute(  # 1 parked: 2 waits until it is redelivered
            update(event_delivery).where(one).values(status=store.PARKED, due_ms=0)
        )
        assert claimed(connection, "p") == []
        assert store.redeliver(connection, "s1") == 1
        assert claimed(connection, "p") == [1, 2]

    cascade.database.write_sync(scenario)


def test_next_due_delivery_counts_a_lease_from_its_end(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        assert store.next_due(connection) is None
        queue(connection)
        assert store.next_due(connection) == 0
        moment = store.now_ms()
        assert len(claimed(connection, "o")) == 4
        assert moment + 60_000 <= (store.next_due(connection) or 0) <= store.now_ms() + 60_000

    cascade.database.write_sync(scenario)
