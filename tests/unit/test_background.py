"""A background loop always stops, even when a wake-up races with the stop."""

from __future__ import annotations

import asyncio
import threading

from cascade.background import BackgroundLoop


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
            await asyncio.wait_for(loop.stop(), 2.0)
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
    runner.join(30)
    assert not runner.is_alive(), "a stopped loop kept running"
    assert outcome == [0]
