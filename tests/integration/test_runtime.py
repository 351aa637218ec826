"""The controllers' runtime on both backends: woken from any thread, and a stop that lets the
steps under way commit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from sqlalchemy import Connection

from cascade.bootstrap import Cascade
from cascade.fulfilment.runtime import DONE, Runtime, RuntimeSettings, StepContext, StepResult
from cascade.storage import work
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
