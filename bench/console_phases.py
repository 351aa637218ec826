"""Where a console list page's time goes, in one process: counts, page query, rendering.

Runs `list_orders`'s three phases for the 3-day date range of bench/console.py on a seeded
SQLite file (bench/api.py's; see docs/console.md "How fast the list is") and prints each
phase's wall and CPU time, p50 and p99: a wall time far above its CPU time is time spent
waiting for a core (other processes), not work of the page.

    .venv/bin/python bench/console_phases.py --reuse /var/tmp/cascade-bench/orders-1m.db
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import msgspec

from api import DATE_WINDOW, sample_orders
from cascade.bootstrap import build
from cascade.console.listing import ORDER_KINDS, Listing, list_params
from cascade.console.render import render
from cascade.settings import Settings

PHASES = ("counts", "page", "render", "total")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(url: str, pages: int, seed: int) -> dict[str, tuple[list[float], list[float]]]:
    sample = sample_orders(url, random.Random(seed))
    rng = random.Random(seed + 1)
    span = (sample.last_date - sample.first_date - DATE_WINDOW).total_seconds()
    cascade = build(Settings(database_url=url, controllers=False))
    resource = cascade.resources["tmf622.productOrder"]
    chosen = ORDER_KINDS["productOrder"]
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in PHASES}
    try:
        for n in range(pages + 3):  # the first 3 warm up
            start = sample.first_date + timedelta(seconds=rng.uniform(0, max(span, 0)))
            filters = {
                "from": start.date().isoformat(),
                "to": (start + DATE_WINDOW).date().isoformat(),
            }
            base = list_params(chosen, filters)
            marks = [(time.perf_counter(), time.process_time())]
            counts = await resource.count_states(base, None, chosen.states)
            marks.append((time.perf_counter(), time.process_time()))
            params = [*base, ("sort", "-orderDate"), ("offset", "0"), ("limit", "25")]
            page = await resource.list(params, None, counted=False)
            marks.append((time.perf_counter(), time.process_time()))
            rows = msgspec.json.decode(page.body)
            listing = Listing(chosen, filters, rows=rows, total=sum(counts.values()))
            listing.counts = counts
            context = {"listing": listing, "kinds": ORDER_KINDS, "order_kind": chosen}
            render("orders.html", csrf="-", flash=None, viewer=None, console=None, **context)
            marks.append((time.perf_counter(), time.process_time()))
            if n < 3:
                continue
            spans = [*itertools.pairwise(marks), (marks[0], marks[-1])]
            for name, (before, after) in zip(PHASES, spans, strict=True):
                times[name][0].append((after[0] - before[0]) * 1000)
                times[name][1].append((after[1] - before[1]) * 1000)
    finally:
        cascade.close()
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reuse", type=Path, required=True, help="a seeded SQLite file")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    times = asyncio.run(measure(f"sqlite:///{args.reuse}", args.pages, args.seed))
    for name, (wall, cpu) in times.items():
        print(
            f"{name:<7} wall p50 {percentile(wall, 0.5):6.1f} p99 {percentile(wall, 0.99):6.1f}"
            f"   cpu p50 {percentile(cpu, 0.5):5.1f} p99 {percentile(cpu, 0.99):5.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
