"""`cascade_leases_taken_over_total`: a claim of a row whose holder let its lease run out
counts once; a first claim, and a claim after a step released the row, count nothing."""

from __future__ import annotations

from cascade.bootstrap import Cascade
from cascade.storage import work
from cascade.telemetry.metrics import PROCESS

KIND = "productOrder"


def taken_over() -> float:
    return PROCESS.get_sample_value("cascade_leases_taken_over_total", {"queue": "work_item"}) or 0


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
