"""Latency of the operator console's order list on a seeded database (issue 16).

Seeds product orders as bench/api.py does (the same cached SQLite file works), starts
`cascade serve --no-controllers` on it and sends sequential `GET /console/?...` requests:
the first page, a state, a 3-day date range, a party, an externalId search, and deep pages.
Each page is the list plus its counts per state. Target: p99 under 100 ms per page.

    .venv/bin/python bench/console.py --reuse /var/tmp/cascade-bench/orders-1m.db
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import httpx

from api import (
    DATE_WINDOW,
    STATES,
    Sample,
    Server,
    ServerOptions,
    prepare_sqlite_cache,
    sample_orders,
)
from common import free_port

TARGET_P99_MS = 100.0


def queries(sample: Sample, rng: random.Random) -> dict[str, Callable[[int], str]]:
    span = (sample.last_date - sample.first_date - DATE_WINDOW).total_seconds()

    def by_date(_: int) -> str:
        start = sample.first_date + timedelta(seconds=rng.uniform(0, max(span, 0)))
        end = start + DATE_WINDOW
        return f"from={start.date().isoformat()}&to={end.date().isoformat()}"

    return {
        "first page": lambda _: "",
        "state": lambda n: f"state={STATES[n % len(STATES)][0]}",
        "date range": by_date,
        "party": lambda _: f"party={rng.choice(sample.parties)}",
        "search externalId": lambda _: f"text={rng.choice(sample.external_ids)}",
        "search id": lambda _: f"text={rng.choice(sample.ids)}",
        "page 2..40": lambda n: f"page={2 + n % 39}",
    }


def measure(base: str, sample: Sample, requests: int, seed: int) -> dict[str, dict[str, float]]:
    rng = random.Random(seed)
    figures: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, make in queries(sample, rng).items():
            for n in range(3):
                client.get(f"/console/?{make(n)}")
            latencies = []
            for n in range(requests):
                started = time.perf_counter()
                response = client.get(f"/console/?{make(n)}")
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")
            ordered = sorted(latencies)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            figures[name] = {
                "p50_ms": round(ordered[len(ordered) // 2], 1),
                "p99_ms": round(p99, 1),
            }
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, help="a cached SQLite file (seeded if short)")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="requests per query")
    parser.add_argument("--workers", type=int, default=1, help="serving processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="cascade-console-bench-"))
    cache = args.reuse or workdir / "seeded.db"
    port = free_port()
    prepare_sqlite_cache(cache, args.orders, f"http://127.0.0.1:{port}", args.seed, 2)
    url = f"sqlite:///{cache}"
    sample = sample_orders(url, random.Random(args.seed))
    server = Server(url, port, workdir / "server.log", ServerOptions(args.workers, False))
    try:
        server.wait_ready()
        figures = measure(server.base, sample, args.requests, args.seed)
    finally:
        server.stop()
    worst = max(each["p99_ms"] for each in figures.values())
    for name, each in figures.items():
        print(f"{name:<20} p50 {each['p50_ms']:>7.1f} ms   p99 {each['p99_ms']:>7.1f} ms")
    passed = worst <= TARGET_P99_MS
    print(json.dumps({"orders": args.orders, "figures": figures, "pass": passed}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
