"""The controllers' runtime on both backends: woken from any thread, and a stop that lets the
steps under way commit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from cascade.bootstrap import Cascade
from cascade.fulfilment.runtime import DONE, Runtime, RuntimeSettings, StepContext, StepResult
from cascade.fulfilment.runtime.loop import LOCK_RETRY_MAX_MS
from cascade.storage import work
from cascade.storage.tables import work_item
from cascade.tmf.declarations import Kind
from tests.waiting import PATIENCE_S

KIND = Kind("testKind", "Test")
WAIT_S = PATIENCE_S  # only reached when something is broken
SLOW = RuntimeSettings(poll_interval_s=10 * WAIT_S)  # without a wake-up, nothing is looked at


class Steps:
    """A controller that records its steps and, when told to, holds one until released."""

    kind = KIND

    def __init__(self, hold: bool = False) -> None:
        self.seen: list[str] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        self.seen.append(entity_id)
        self.entered.set()
        assert self.release.wait(WAIT_S)
        return DONE


class Watched(Runtime):
    """Tells when it waits for a wake-up with nothing to do."""

    def __init__(self, cascade: Cascade, steps: Steps) -> None:
        super().__init__(cascade.database, [steps], SLOW)
        self.idle = asyncio.Event()
        self.stepped = asyncio.Event()
        self.after_step.append(self.stepped.set)

    async def _wait(self, timeout: float) -> None:
        self.idle.set()
        await super()._wait(timeout)


async def woken_by(cascade: Cascade, wake: Callable[[Watched], None]) -> list[str]:
    """What the runtime does with an item scheduled while it idles, after `wake`."""
    steps = Steps()
    runtime = Watched(cascade, steps)
    await runtime.start()
    try:
        await asyncio.wait_for(runtime.idle.wait(), WAIT_S)
        await cascade.database.write(lambda c: work.schedule(c, KIND.name, "a"))
        wake(runtime)
        await asyncio.wait_for(runtime.stepped.wait(), WAIT_S)
    finally:
        await runtime.stop()
    return steps.seen


async def test_a_wake_up_on_the_loop_thread_runs_due_work_at_once(cascade: Cascade) -> None:
    assert await woken_by(cascade, Runtime.wake) == ["a"]


async def test_a_wake_up_from_another_thread_runs_due_work_at_once(cascade: Cascade) -> None:
    def from_a_thread(runtime: Watched) -> None:
        other = threading.Thread(target=runtime.wake)
        other.start()
        other.join()

    assert await woken_by(cascade, from_a_thread) == ["a"]


async def test_stop_lets_the_steps_under_way_commit(cascade: Cascade) -> None:
    steps = Steps(hold=True)
    runtime = Runtime(cascade.database, [steps], SLOW)
    await cascade.database.write(lambda c: work.schedule(c, KIND.name, "a"))
    await runtime.start()
    assert await asyncio.to_thread(steps.entered.wait, WAIT_S)
    stopping = asyncio.create_task(runtime.stop())
    await asyncio.sleep(0)  # the stop has begun while the step is held
    steps.release.set()
    await asyncio.wait_for(stopping, WAIT_S)
    assert runtime.steps_done == 1
    assert await cascade.database.read(work.pending) == 0


class Failing:
    """A controller whose every step fails."""

    kind = KIND

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        raise RuntimeError("the step broke")


class Deadlock:
    """The database's answer to a deadlock (SQLSTATE 40P01) on the first `times` calls."""

    sqlstate = "40P01"

    def __init__(self, times: int) -> None:
        self.left = times


async def fail_recorded_despite(
    cascade: Cascade, monkeypatch: pytest.MonkeyPatch, conflicts: int
) -> tuple[int, str | None, str | None]:
    """Run a failing step while recording its failure loses `conflicts` lock conflicts; the
    item's attempts, last error and lease owner afterwards."""
    recorded = work.fail
    deadlock = Deadlock(conflicts)

    def fail(connection: Connection, item: work.Claim, error: str, retry_at_ms: int) -> bool:
        if deadlock.left:
            deadlock.left -= 1
            conflict = DBAPIError("UPDATE work_item", {}, Exception("deadlock detected"))
            conflict.orig = deadlock  # type: ignore[assignment]
            raise conflict
        return recorded(connection, item, error, retry_at_ms)

    monkeypatch.setattr(work, "fail", fail)
    runtime = Runtime(cascade.database, [Failing()], SLOW)
    await cascade.database.write(lambda c: work.schedule(c, KIND.name, "broken"))
    (claimed,) = await cascade.database.write(
        lambda c: work.claim(c, "me", lease_ms=600_000, limit=1)
    )
    await runtime.run_step(claimed)  # never raises: a dead task would hold its lease
    row = await cascade.database.read(
        lambda c: c.execute(
            select(work_item.c.attempts, work_item.c.last_error, work_item.c.lease_owner).where(
                work_item.c.entity_id == "broken"
            )
        ).one()
    )
    return int(row.attempts), row.last_error, row.lease_owner


async def test_a_failed_step_is_recorded_though_recording_it_loses_a_lock_conflict(
    cascade: Cascade, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts, error, owner = await fail_recorded_despite(cascade, monkeypatch, conflicts=2)
    assert (attempts, owner) == (1, None)
    assert error == "RuntimeError: the step broke"


async def test_a_failure_that_cannot_be_recorded_is_left_to_the_lease(
    cascade: Cascade, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts, error, owner = await fail_recorded_despite(cascade, monkeypatch, conflicts=99)
    assert (attempts, error, owner) == (0, None, "me")  # its lease runs out, then it is retried


def test_a_lost_lock_conflict_comes_back_soon_however_often_it_was_lost(
    cascade: Cascade,
) -> None:
    """Contention is no fault: it is not backed off for a minute like a broken step."""
    runtime = Runtime(cascade.database, [Failing()], SLOW)
    conflict = DBAPIError("UPDATE work_item", {}, Exception("deadlock detected"))
    conflict.orig = Deadlock(1)  # type: ignore[assignment]
    broken = RuntimeError("the step broke")
    for attempts in (0, 5, 20):
        assert 1 <= runtime.retry_delay_ms(attempts, conflict) <= LOCK_RETRY_MAX_MS
    assert runtime.retry_delay_ms(20, broken) == SLOW.backoff_max_ms
    assert runtime.retry_delay_ms(0, broken) == SLOW.backoff_base_ms
