"""`cascade_leases_taken_over_total`: a claim of a row whose holder let its lease run out
counts once; a first claim, and a claim after a step released the row, count nothing."""

from __future__ import annotations

from sqlalchemy import Connection, update

from cascade.bootstrap import Cascade
from cascade.events import store
from cascade.storage import work
from cascade.storage.tables import event_delivery
from cascade.telemetry.metrics import PROCESS
from tests.integration.test_leases import delivery

KIND = "productOrder"


def taken_over(queue: str = "work_item") -> float:
    return PROCESS.get_sample_value("cascade_leases_taken_over_total", {"queue": queue}) or 0


def test_a_lease_taken_over_is_counted_once(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    db.write_sync(lambda c: work.schedule(c, KIND, "b", due_ms=1_000))
    before = taken_over()
    first = db.write_sync(lambda c: work.claim(c, "w1", lease_ms=10_000, limit=10, now=2_000))
    assert len(first) == 2
    assert taken_over() == before  # nobody held them
    (done, _) = first
    db.write_sync(lambda c: work.finish(c, done, next_due_ms=3_000))  # released, due again
    later = db.write_sync(lambda c: work.claim(c, "w2", lease_ms=10_000, limit=10, now=13_000))
    assert sorted(i.entity_id for i in later) == ["a", "b"]
    assert taken_over() == before + 1  # only the one whose lease w1 let run out


def test_an_event_delivery_lease_taken_over_is_counted(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        news = [delivery("s1", "e1", 1), delivery("s1", "e2", 2), delivery("s2", "e3", 3)]
        store.add_deliveries(connection, news, due=0)
        before = taken_over("event_delivery")
        first = store.claim(connection, "sender-1", lease_ms=60_000, limit=10)
        assert [d.event_seq for d in first] == [1, 2, 3]
        assert taken_over("event_delivery") == before  # nobody held them
        store.released(connection, [first[0].pk])  # given back untried: free, not taken over
        lost = event_delivery.c.pk.in_([first[1].pk, first[2].pk])
        connection.execute(update(event_delivery).where(lost).values(lease_until_ms=1))
        again = store.claim(connection, "sender-2", lease_ms=60_000, limit=10)
        assert sorted(d.event_seq for d in again) == [1, 2, 3]
        assert taken_over("event_delivery") == before + 2  # the two whose lease ran out

    cascade.database.write_sync(scenario)
