"""Renewed leases on both backends (ADR 0030): a step that runs longer than its lease keeps it,
so another process does not run the same step again; and a process does not run two steps of
one entity at once when its own lease had run out.

Two runtimes stand for two processes: each its own Database (its own writer, connections,
lock file descriptor) on the same database. The tests wait for conditions: the other process
looked for work after the first lease would have run out, found none; then the step goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from cascade.bootstrap import Cascade
from cascade.fulfilment.runtime import Runtime, RuntimeSettings
from cascade.storage import work
from cascade.storage.database import Database
from cascade.storage.tables import work_item
from cascade.storage.work import Claim
from tests.integration.test_runtime import KIND, Steps  # a step held until released
from tests.waiting import PATIENCE_S

# Renewed every second: a lease runs out only if its renewal is late by two seconds.
LEASE = RuntimeSettings(lease_ms=3_000, poll_interval_s=0.05)


class Watched(Runtime):
    """A runtime that records each claim (its moment, what it took) and, with `hold_before`,
    holds each step before its transaction until released (a step waiting for its turn)."""

    def __init__(self, database: Database, steps: Steps, hold_before: bool = False) -> None:
        super().__init__(database, [steps], LEASE)
        self.looked: list[tuple[int, list[Claim]]] = []
        self.waiting = 0  # steps held before their transaction
        self.release = asyncio.Event()
        self.stepped = asyncio.Event()
        self.after_step.append(self.stepped.set)
        if not hold_before:
            self.release.set()

    async def _claim(self) -> list[Claim]:
        moment = work.now_ms()  # the claim's own clock reads this or later
        found = await super()._claim()
        self.looked.append((moment, found))
        return found

    async def run_step(self, item: Claim) -> None:
        self.waiting += 1
        await self.release.wait()
        await super().run_step(item)


async def until(check: Callable[[], object], what: str) -> None:
    """Poll `check` on the event loop until it holds (the runtimes run meanwhile)."""
    async with asyncio.timeout(PATIENCE_S):
        while not check():
            await asyncio.sleep(0.02)
    assert check(), what


def lease_until(database: Database, entity_id: str) -> int:
    """The end of the item's lease (-1: the item is gone, its step was run)."""
    until = database.read_sync(
        lambda c: c.execute(
            select(work_item.c.lease_until_ms).where(work_item.c.entity_id == entity_id)
        ).scalar_one_or_none()
    )
    return -1 if until is None else int(until)


@pytest.mark.parametrize("slow", ["before-its-transaction", "in-its-transaction"])
async def test_a_step_longer_than_its_lease_is_not_run_twice(cascade: Cascade, slow: str) -> None:
    if slow == "in-its-transaction" and cascade.database.dialect == "sqlite":
        pytest.skip("SQLite's write lock keeps every other process out, claims included")
    mine = Steps(hold=slow == "in-its-transaction")
    first = Watched(cascade.database, mine, hold_before=slow == "before-its-transaction")
    other_database = Database(cascade.database.url)
    theirs = Steps()
    other = Watched(other_database, theirs)
    await cascade.database.write(lambda c: work.schedule(c, KIND.name, "x"))
    await first.start()
    try:
        if slow == "in-its-transaction":
            assert await asyncio.to_thread(mine.entered.wait, PATIENCE_S)
        else:
            await until(lambda: first.waiting == 1, "the step held")
        ran_out = lease_until(cascade.database, "x")  # the first lease, unrenewed
        await other.start()
        # the other process looked for work after the first lease would have run out
        await until(lambda: any(moment > ran_out for moment, _ in other.looked), "a look")
        assert lease_until(cascade.database, "x") > ran_out  # renewed meanwhile
        mine.release.set()
        first.release.set()
        await asyncio.wait_for(first.stepped.wait(), PATIENCE_S)
    finally:
        mine.release.set()  # whatever happened, nothing stays held
        first.release.set()
        await other.stop()
        await first.stop()
        other_database.close()
    assert (mine.seen, theirs.seen) == (["x"], [])
    assert all(found == [] for _, found in other.looked)
    # kept by its renewal: not even this process claimed it again when the first lease ended
    assert [claim.entity_id for _, found in first.looked for claim in found] == ["x"]
    assert (first.steps_done, first.leases_lost) == (1, 0)
    assert first.renewal.renewed >= 1
    assert await cascade.database.read(work.pending) == 0


async def test_a_step_whose_own_lease_ran_out_is_not_run_twice_at_once(cascade: Cascade) -> None:
    """Its renewal failed (here: none), so this very process claims the entity again while its
    step runs: that claim runs no second step, and its lease is given back after the first."""
    steps = Steps()
    runtime = Watched(cascade.database, steps, hold_before=True)
    runtime.renewal.interval_s = PATIENCE_S * 10  # no renewal
    await cascade.database.write(lambda c: work.schedule(c, KIND.name, "x"))
    await runtime.start()
    try:
        await until(lambda: runtime.waiting == 1, "the step held")
        await cascade.database.write(
            lambda c: c.execute(update(work_item).values(lease_until_ms=0))
        )  # its lease ran out
        runtime.wake()
        await until(lambda: any(found for _, found in runtime.looked[1:]), "claimed again")
        assert runtime.waiting == 1  # no second step
        runtime.release.set()
        await until(lambda: runtime.steps_done == 1, "the step")
    finally:
        runtime.release.set()
        await runtime.stop()
    assert steps.seen == ["x"]
    assert (runtime.waiting, runtime.leases_lost) == (1, 0)
    assert await cascade.database.read(work.pending) == 0
