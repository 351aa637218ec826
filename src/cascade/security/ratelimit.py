"""Rate limiting per client: a token bucket each, in this process's memory.

A client (an API key, a token's subject, or without authentication an address) may make
`rate` requests per second on average and `burst` at once. Over that it gets 429 with
`Retry-After`. Each serving process keeps its own buckets, so with `--workers N` a client may
reach up to N times the rate: the limit protects a process, it is not a quota.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class RateLimiter:
    MAX_CLIENTS = 100_000

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)

    def wait_for(self, client: str) -> float:
        """0 when the request may go ahead (and is counted), else seconds until it may."""
        now = self.clock()
        tokens, at = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= self.MAX_CLIENTS and client not in self._buckets:
                self._forget_full(now)
            self._buckets[client] = (tokens - 1.0, now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        """Drop the clients whose bucket has refilled: they lose nothing by being forgotten."""
        full_after = self.burst / self.rate
        self._buckets = {
            client: bucket
            for client, bucket in self._buckets.items()
            if now - bucket[1] < full_after
        }
        if len(self._buckets) >= self.MAX_CLIENTS:
            self._buckets.clear()


def retry_after(wait_s: float) -> str:
    """The `Retry-After` value (whole seconds, at least 1)."""
    return str(max(1, math.ceil(wait_s)))
