"""Fenced leases on both backends (ADR 0030): a step whose work item another holder took over
does not finish it, and nothing it wrote is committed; its failure is not recorded over the new
holder's lease. Time is driven through the claims' `now`: no waiting at all."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, select

from cascade.bootstrap import Cascade
from cascade.fulfilment.runtime import Runtime, RuntimeSettings, StepContext, StepResult
from cascade.storage import work
from cascade.storage.tables import work_item
from cascade.telemetry import metrics
from cascade.tmf.declarations import Kind

KIND = Kind("testKind", "Test")
LEASE_MS = 10_000
EFFECT = "what-the-step-wrote"


class Writing:
    """A controller whose step writes something (a work item of its own) and is done."""

    kind = KIND

    def __init__(self, again_at_ms: int | None = None, fails: bool = False) -> None:
        self.again_at_ms = again_at_ms
        self.fails = fails
        self.runs = 0

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        self.runs += 1
        work.schedule(connection, KIND.name, EFFECT)
        if self.fails:
            raise RuntimeError("the step broke")
        return StepResult(self.again_at_ms)


def lease_of(cascade: Cascade, entity_id: str) -> tuple[str | None, int, str | None] | None:
    """The item's lease holder, attempts and last error (None: the item is gone)."""
    row = cascade.database.read_sync(
        lambda c: c.execute(
            select(work_item.c.lease_owner, work_item.c.attempts, work_item.c.last_error).where(
                work_item.c.entity_id == entity_id
            )
        ).one_or_none()
    )
    return None if row is None else (row.lease_owner, int(row.attempts), row.last_error)


def taken_over(cascade: Cascade) -> work.Claim:
    """Item "x" claimed by "old" at t=1000, then, its lease run out, by "new": old's claim."""
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND.name, "x", due_ms=1_000))
    (old,) = db.write_sync(lambda c: work.claim(c, "old", lease_ms=LEASE_MS, limit=1, now=1_000))
    later = 1_000 + LEASE_MS + 1
    (new,) = db.write_sync(lambda c: work.claim(c, "new", lease_ms=LEASE_MS, limit=1, now=later))
    assert (old.owner, new.owner, new.entity_id) == ("old", "new", "x")
    return old


def lost_count() -> float:
    value = metrics.PROCESS.get_sample_value("cascade_leases_lost_total", {"queue": "work_item"})
    return value or 0.0


@pytest.mark.parametrize("again_at_ms", [None, 5_000], ids=["done", "again-later"])
async def test_a_step_whose_lease_was_taken_over_commits_nothing(
    cascade: Cascade, again_at_ms: int | None
) -> None:
    old = taken_over(cascade)
    steps = Writing(again_at_ms)
    runtime = Runtime(cascade.database, [steps], RuntimeSettings(lease_ms=LEASE_MS))
    before = lost_count()
    await runtime.run_step(old)
    assert steps.runs >= 1  # it ran (again, isolated from its batch, once rolled back)
    assert lease_of(cascade, EFFECT) is None  # what it wrote was rolled back
    assert lease_of(cascade, "x") == ("new", 0, None)  # the new holder's lease, untouched
    assert (runtime.steps_done, runtime.leases_lost) == (0, 1)
    assert lost_count() == before + 1


async def test_a_failed_step_whose_lease_was_taken_over_records_no_failure(
    cascade: Cascade,
) -> None:
    old = taken_over(cascade)
    runtime = Runtime(cascade.database, [Writing(fails=True)], RuntimeSettings(lease_ms=LEASE_MS))
    await runtime.run_step(old)
    assert lease_of(cascade, EFFECT) is None
    assert lease_of(cascade, "x") == ("new", 0, None)  # no attempt, no error, still new's
    assert runtime.leases_lost == 1


def test_finish_and_fail_are_fenced_by_the_lease_holder(cascade: Cascade) -> None:
    db = cascade.database
    old = taken_over(cascade)
    with pytest.raises(work.LeaseLost):
        db.write_sync(lambda c: work.finish(c, old, None))
    with pytest.raises(work.LeaseLost):
        db.write_sync(lambda c: work.finish(c, old, 5_000))
    assert db.write_sync(lambda c: work.fail(c, old, "late", 5_000)) is False
    assert lease_of(cascade, "x") == ("new", 0, None)


def test_a_lease_run_out_but_not_taken_over_still_finishes(cascade: Cascade) -> None:
    """Fencing is on the holder: a late step whose item nobody took is still the only run."""
    db = cascade.database
    db.write_sync(lambda c: work.schedule(c, KIND.name, "x", due_ms=1_000))
    (claim,) = db.write_sync(lambda c: work.claim(c, "me", lease_ms=1, limit=1, now=1_000))
    db.write_sync(lambda c: work.finish(c, claim, None))
    assert lease_of(cascade, "x") is None


def test_renew_extends_only_the_holders_leases_of_the_items_named(cascade: Cascade) -> None:
    db = cascade.database

    def schedule(connection: Connection) -> None:
        for name in ("a", "b", "c"):
            work.schedule(connection, KIND.name, name, due_ms=1_000)

    db.write_sync(schedule)
    claims = db.write_sync(lambda c: work.claim(c, "me", lease_ms=LEASE_MS, limit=3, now=1_000))
    assert len(claims) == 3
    keys = [(KIND.name, "a"), (KIND.name, "b"), (KIND.name, "gone")]
    assert db.write_sync(lambda c: work.renew(c, "me", keys, lease_ms=LEASE_MS, now=5_000)) == 2
    assert db.write_sync(lambda c: work.renew(c, "other", keys, lease_ms=LEASE_MS, now=6_000)) == 0
    # a and b are still "me"'s at 1000 + LEASE_MS + 1; c's lease ran out and is taken
    later = 1_000 + LEASE_MS + 1
    taken = db.write_sync(lambda c: work.claim(c, "other", lease_ms=LEASE_MS, limit=3, now=later))
    assert [claim.entity_id for claim in taken] == ["c"]
