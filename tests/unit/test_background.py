"""A background loop always stops, even when a wake-up races with the stop; a wake-up from
any thread reaches it."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from cascade.background.loop import BackgroundLoop
from tests.waiting import PATIENCE_S


class Idle(BackgroundLoop):
    """Waits for wake-ups forever, like the senders when there is nothing to do."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0

    async def _run(self) -> None:
        while True:
            self._clear_wake()
            self.rounds += 1
            await self._wait(10.0)


async def _stop_while_woken(rounds: int) -> int:
    stuck = 0
    for _ in range(rounds):
        loop = Idle()
        await loop.start()
        await asyncio.sleep(0)  # the loop is waiting now
        loop._wake.set()  # a wake-up lands in the same moment as the stop's cancellation
        try:
            await asyncio.wait_for(loop.stop(), 10.0)  # a stop takes microseconds
        except TimeoutError:
            stuck += 1
    return stuck


def test_stop_ends_the_loop_even_when_a_wake_up_races_with_it() -> None:
    # In a thread of its own: a loop that swallowed its cancellation never lets asyncio.run end.
    outcome: list[int] = []
    runner = threading.Thread(
        target=lambda: outcome.append(asyncio.run(_stop_while_woken(200))), daemon=True
    )
    runner.start()
    runner.join(PATIENCE_S)
    assert not runner.is_alive(), "a stopped loop kept running"
    assert outcome == [0]


class Rounds(Idle):
    """Tells each time it looks for work."""

    def __init__(self) -> None:
        super().__init__()
        self.looked = asyncio.Event()

    async def _run(self) -> None:
        while True:
            self._clear_wake()
            self.rounds += 1
            self.looked.set()
            await self._wait(60.0)  # far longer than any test: only a wake-up ends it

    async def next_round(self) -> None:
        self.looked.clear()
        await asyncio.wait_for(self.looked.wait(), 10.0)


async def test_a_wake_up_on_the_loop_thread_sets_the_event_without_the_self_pipe() -> None:
    loop = Rounds()
    threadsafe: list[object] = []
    running = asyncio.get_running_loop()
    call_soon_threadsafe = running.call_soon_threadsafe

    def counted(*args: Any, **kwargs: Any) -> asyncio.Handle:
        threadsafe.append(args)
        return call_soon_threadsafe(*args, **kwargs)

    await loop.start()
    try:
        await asyncio.wait_for(loop.looked.wait(), 10.0)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(running, "call_soon_threadsafe", counted)
            waiting = asyncio.ensure_future(loop.next_round())
            await asyncio.sleep(0)  # next_round is waiting now
            loop.wake()
            assert loop._wake.is_set()  # at once, not in a later callback
            await waiting
        assert loop.rounds == 2
        assert threadsafe == []
    finally:
        await loop.stop()


async def test_a_wake_up_from_another_thread_reaches_the_loop() -> None:
    loop = Rounds()
    await loop.start()
    try:
        await asyncio.wait_for(loop.looked.wait(), 10.0)
        waiting = asyncio.ensure_future(loop.next_round())
        await asyncio.sleep(0)
        other = threading.Thread(target=loop.wake)
        other.start()
        other.join()
        await waiting
        assert loop.rounds == 2
    finally:
        await loop.stop()
