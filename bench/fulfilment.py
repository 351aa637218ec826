"""End-to-end fulfilment benchmark: broadband product orders from POST to `completed`.

Starts `cascade serve --demo` (controllers in the server, or `--workers N` separate
`cascade worker` processes), offers broadband orders at a steady rate from one client,
waits until every order has ended, and prints: orders completed per second end to end, and
the p50/p99 time from POST (the order's `orderDate`) to `completed` (its `completionDate`),
both set by the server. The simulated network runs at zero latency unless
CASCADE_SIMULATOR_LATENCY_MS says otherwise. On a local PostgreSQL it also prints what an
order cost: statements, round trips, transactions, server-side and client-side CPU
(bench/costs.py).

    .venv/bin/python bench/fulfilment.py --orders 3000 --rate 150
    .venv/bin/python bench/fulfilment.py --workers 2 \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python bench/fulfilment.py --components   # COM, SOM, ROM: 3 processes, 3 SQLite
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from common import free_port, instant, wait_ready
from costs import Costs
from costs import report as cost_report

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
ENDED = {"completed", "failed", "partial", "rejected", "cancelled"}
CASCADE = str(Path(sys.executable).with_name("cascade"))


def broadband(n: int) -> dict[str, Any]:
    return {
        "externalId": f"bench-{n}",
        "relatedParty": [{"id": f"cust-{n}", "role": "customer", "@referredType": "Individual"}],
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "productOffering": {"id": "po-fibre-broadband"},
                "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": 1000}]},
            }
        ],
    }


def start_components(scratch: Path, com_port: int, log: Path) -> list[subprocess.Popen[bytes]]:
    """ROM, SOM and COM (on `com_port`), each on its own SQLite file, linked by their APIs."""
    env = {**os.environ, "CASCADE_POLL_INTERVAL_S": "0.2"}
    out = log.open("ab")
    som_port, rom_port = free_port(), free_port()
    layers = [
        ("rom", rom_port, []),
        ("som", som_port, ["--rom-url", f"http://127.0.0.1:{rom_port}"]),
        ("com", com_port, ["--som-url", f"http://127.0.0.1:{som_port}"]),
    ]
    processes = []
    for name, port, link in layers:
        url = f"sqlite:///{scratch / f'{name}.db'}"
        serve = [CASCADE, "serve", "--component", name, "--port", str(port), "--database", url]
        serve += ["--demo", *link]
        processes.append(subprocess.Popen(serve, env=env, stdout=out, stderr=out))
    return processes


def start(
    args: argparse.Namespace, url: str, port: int, log: Path
) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "CASCADE_POLL_INTERVAL_S": "0.2"}
    out = log.open("ab")
    serve = [CASCADE, "serve", "--port", str(port), "--database", url, "--demo"]
    if args.workers:
        serve.append("--no-controllers")
    processes = [subprocess.Popen(serve, env=env, stdout=out, stderr=out)]
    for _ in range(args.workers):
        worker = [CASCADE, "worker", "--database", url]
        processes.append(subprocess.Popen(worker, env=env, stdout=out, stderr=out))
    return processes


async def offer(base: str, orders: int, rate: float, concurrency: int) -> list[str]:
    """POST `orders` orders at `rate` per second; returns their ids."""
    ids: list[str] = []
    limits = httpx.Limits(max_connections=concurrency)
    slots = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def post(n: int) -> None:
            async with slots:
                response = await client.post(ORDERS, json=broadband(n))
                response.raise_for_status()
                ids.append(response.json()["id"])

        started = time.monotonic()
        tasks = []
        for n in range(orders):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
    return ids


async def collect(base: str, expected: int, timeout: float) -> list[dict[str, Any]]:
    """Every order once all have ended (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while True:
            ended = 0
            for state in ENDED:
                response = await client.get(ORDERS, params={"state": state, "limit": "1"})
                ended += int(response.headers["X-Total-Count"])
            if ended >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        orders: list[dict[str, Any]] = []
        while True:
            page = await client.get(
                ORDERS,
                params={
                    "fields": "state,orderDate,completionDate",
                    "limit": "1000",
                    "offset": str(len(orders)),
                },
            )
            batch = page.json()
            orders.extend(batch)
            if len(batch) < 1000:
                return orders


def report(orders: list[dict[str, Any]], args: argparse.Namespace) -> None:
    completed = [o for o in orders if o.get("state") == "completed"]
    others = len(orders) - len(completed)
    latencies = sorted(
        (instant(o["completionDate"]) - instant(o["orderDate"])) * 1000 for o in completed
    )
    first = min(instant(o["orderDate"]) for o in orders)
    last = max(instant(o["completionDate"]) for o in completed)
    mode = f"{args.workers} worker process(es)" if args.workers else "controllers in the server"
    if args.components:
        mode = "COM, SOM and ROM as three components"
    print(f"database: {args.database or 'sqlite (temporary file)'}; {mode}")
    print(f"offered: {args.orders} broadband orders at {args.rate}/s")
    print(f"completed: {len(completed)}  not completed: {others}")
    print(f"throughput end to end: {len(completed) / (last - first):.1f} orders/s")
    if latencies:
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"POST -> completed: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {latencies[-1]:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=120.0, help="orders offered per second")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0, help="separate worker processes")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument(
        "--components", action="store_true", help="COM, SOM, ROM as separate processes (SQLite)"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cascade-bench-"))
    url = args.database or f"sqlite:///{scratch / 'bench.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if args.components:
        processes = start_components(scratch, port, scratch / "server.log")
    else:
        processes = start(args, url, port, scratch / "server.log")
    try:
        asyncio.run(wait_ready(f"{base}/health"))
        costs = None if args.components else Costs(url, [p.pid for p in processes])
        before = costs.sample() if costs else None
        ids = asyncio.run(offer(base, args.orders, args.rate, args.concurrency))
        orders = asyncio.run(collect(base, len(ids), args.timeout))
        report(orders, args)
        if costs is not None and before is not None:
            cost_report(before, costs.sample(), len(ids), postgres=costs.postgres)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        print(f"logs: {scratch / 'server.log'}")


if __name__ == "__main__":
    main()
