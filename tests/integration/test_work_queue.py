"""The controllers' work queue on both backends: scheduling, leases, and no lost wake-up."""

from __future__ import annotations

from cascade.bootstrap import Cascade
from cascade.storage import work

KIND = "productOrder"


def test_schedule_keeps_the_earliest_due_time(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=5_000))
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=9_000))
    assert db.read_sync(work.next_due) == 5_000
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    assert db.read_sync(work.next_due) == 1_000
    assert db.read_sync(work.pending) == 1


def test_a_claimed_item_is_leased_to_one_owner(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    db.write_sync(lambda c: work.schedule(c, KIND, "b", due_ms=99_000))
    first = db.write_sync(lambda c: work.claim(c, "w1", lease_ms=10_000, limit=10, now=2_000))
    assert [(i.kind, i.entity_id) for i in first] == [(KIND, "a")]  # b is not due yet
    again = db.write_sync(lambda c: work.claim(c, "w2", lease_ms=10_000, limit=10, now=3_000))
    assert again == []  # leased to w1
    expired = db.write_sync(lambda c: work.claim(c, "w2", lease_ms=10_000, limit=10, now=13_000))
    assert [i.entity_id for i in expired] == ["a"]  # w1's lease ran out


def test_finishing_removes_the_item_unless_it_was_scheduled_meanwhile(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    (claimed,) = db.write_sync(lambda c: work.claim(c, "w", lease_ms=10_000, limit=1, now=2_000))
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=2_500))  # a child changed
    db.write_sync(lambda c: work.finish(c, claimed, None))
    assert db.read_sync(work.pending) == 1  # the wake-up survives
    (claimed,) = db.write_sync(lambda c: work.claim(c, "w", lease_ms=10_000, limit=1, now=3_000))
    db.write_sync(lambda c: work.finish(c, claimed, None))
    assert db.read_sync(work.pending) == 0


def test_a_failed_step_comes_back_later_with_its_error(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    (claimed,) = db.write_sync(lambda c: work.claim(c, "w", lease_ms=10_000, limit=1, now=2_000))
    db.write_sync(lambda c: work.fail(c, claimed, "boom", 50_000))
    assert db.write_sync(lambda c: work.claim(c, "w", lease_ms=1, limit=1, now=40_000)) == []
    (retry,) = db.write_sync(lambda c: work.claim(c, "w", lease_ms=1, limit=1, now=50_000))
    assert retry.attempts == 1


def test_finish_with_a_next_time_keeps_the_item_until_then(cascade: Cascade) -> None:
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND, "a", due_ms=1_000))
    (claimed,) = db.write_sync(lambda c: work.claim(c, "w", lease_ms=10_000, limit=1, now=2_000))
    db.write_sync(lambda c: work.finish(c, claimed, 7_000))
    assert db.read_sync(work.next_due) == 7_000
    assert db.write_sync(lambda c: work.claim(c, "w", lease_ms=1, limit=1, now=6_999)) == []
