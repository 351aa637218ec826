"""Event delivery benchmark: TMF events from a change to a local listener over HTTP.

Starts a listener (uvicorn, its own process) and `cascade serve --workers 2` (controllers on,
so an event sender runs in each server process, as with `./dev serve`), subscribes
`--subscriptions` times on the TMF637 hub, then creates products through the API at `--rate`
per second for `--duration` seconds. Each create is one `ProductCreateEvent`, delivered once
per subscription. It prints deliveries per second (over the time the listener was receiving)
and the p50/p99 delay from the event's `eventTime` (set in the transaction of the change) to
its arrival at the listener, and exits 1 when a target (2,000 deliveries/s, p99 under 500 ms)
is missed or an event was lost.

    .venv/bin/python bench/events.py                       # 2 processes, 4 subscriptions
    .venv/bin/python bench/events.py --subscriptions 1 --rate 1000 --workers 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from common import free_port, instant, wait_ready

PRODUCTS = "/tmf-api/productInventory/v4/product"
HUB = "/tmf-api/productInventory/v4/hub"
CASCADE = str(Path(sys.executable).with_name("cascade"))
TARGET_RATE = 2000.0
TARGET_P99_MS = 500.0


# --- the listener (run as `events.py listener PORT OUT`) -------------------------------------


def listener_app(records: list[str]) -> Any:
    """An ASGI app that answers 201 and notes arrival time, eventTime and eventId."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        arrived = time.time()
        if scope["method"] != "POST":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        event = json.loads(body)
        records.append(f"{arrived} {event['eventTime']} {event['eventId']} {scope['path']}")
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def run_listener(port: int, out: Path) -> None:
    import uvicorn

    records: list[str] = []
    config = uvicorn.Config(
        listener_app(records), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        out.write_text("\n".join(records))


# --- the run -----------------------------------------------------------------------------------


async def subscribe(base: str, listener: int, count: int) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for n in range(count):
            body = {
                "callback": f"http://127.0.0.1:{listener}/subscriber-{n}",
                "query": "eventType=ProductCreateEvent",
            }
            (await client.post(HUB, json=body)).raise_for_status()


async def offer(base: str, total: int, rate: float, concurrency: int) -> float:
    """Create `total` products at `rate` per second; returns the achieved rate.

    aiohttp rather than httpx: the load generator shares the machine with the server.
    """
    connector = aiohttp.TCPConnector(limit=concurrency)
    slots = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as session:

        async def post(n: int) -> None:
            async with slots:
                body = {"name": f"bench-{n}", "status": "active", "productOffering": {"id": "po"}}
                async with session.post(PRODUCTS, json=body) as response:
                    response.raise_for_status()
                    await response.read()

        started = time.monotonic()
        tasks = []
        for n in range(total):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
        return total / (time.monotonic() - started)


def read_records(out: Path) -> list[tuple[float, float, str]]:
    records = []
    for line in out.read_text().splitlines():
        arrived, event_time, event_id, path = line.split(" ")
        records.append((float(arrived), instant(event_time), f"{event_id}{path}"))
    return records


def report(
    args: argparse.Namespace, records: list[tuple[float, float, str]], offered: float
) -> int:
    expected = args.rate * args.duration * args.subscriptions
    unique = len({key for _, _, key in records})
    arrivals = sorted(arrived for arrived, _, _ in records)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
    rate = len(records) / span
    delays = sorted((arrived - made) * 1000 for arrived, made, _ in records)
    p50 = statistics.median(delays)
    p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
    print(f"server: cascade serve --workers {args.workers}, {args.database or 'SQLite'}")
    print(
        f"offered: {args.rate:.0f} creates/s for {args.duration:.0f} s (achieved {offered:.0f}/s)"
        f", {args.subscriptions} subscription(s)"
    )
    print(f"deliveries: {len(records)} of {expected:.0f} expected, {unique} distinct")
    print(f"delivered: {rate:,.0f} events/s   (target >= {TARGET_RATE:,.0f})")
    print(
        f"change -> listener: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {delays[-1]:.0f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms)"
    )
    figures = {
        "deliveries": len(records),
        "distinct": unique,
        "events_per_s": round(rate),
        "p50_ms": round(p50, 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(delays[-1], 1),
    }
    print(json.dumps(figures))
    lost = unique < expected
    if lost:
        print(f"{expected - unique:.0f} events not delivered by the end of the wait")
    return 1 if lost or rate < TARGET_RATE or p99 > TARGET_P99_MS else 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "listener":
        run_listener(int(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--rate", type=float, default=550.0, help="creates offered per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    parser.add_argument("--subscriptions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="cascade-events-bench-"))
    url = args.database or f"sqlite:///{scratch / 'bench.db'}"
    subprocess.run([CASCADE, "db", "upgrade", "--database", url], check=True, capture_output=True)
    port, listener_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    out = scratch / "received.txt"
    log = (scratch / "server.log").open("ab")
    listen = [sys.executable, __file__, "listener", str(listener_port), str(out)]
    listener = subprocess.Popen(listen)
    env = {**os.environ, "CASCADE_EVENTS_POLL_INTERVAL_S": "0.05"}
    serve = [
        CASCADE,
        "serve",
        "--port",
        str(port),
        "--database",
        url,
        "--workers",
        str(args.workers),
    ]
    server = subprocess.Popen(serve, env=env, stdout=log, stderr=log)
    try:
        asyncio.run(wait_ready(f"http://127.0.0.1:{listener_port}/ready"))
        asyncio.run(wait_ready(f"{base}/health"))
        asyncio.run(subscribe(base, listener_port, args.subscriptions))
        total = int(args.rate * args.duration)
        offered = asyncio.run(offer(base, total, args.rate, args.concurrency))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pending = subprocess.run(
                [sys.executable, "-c", _PENDING, url], capture_output=True, text=True, check=True
            ).stdout.strip()
            if pending == "0":
                break
            time.sleep(0.5)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        listener.send_signal(signal.SIGINT)
        listener.wait(timeout=60)
    records = [r for r in read_records(out) if "/subscriber-" in r[2]]
    print(f"scratch: {scratch}")
    return report(args, records, offered) if records else 1


# How many events are still to deliver (outbox rows and deliveries), read from the database.
_PENDING = """
import sys
from sqlalchemy import create_engine, func, select
from cascade.storage.tables import event_delivery, event_outbox
engine = create_engine(sys.argv[1])
with engine.connect() as c:
    n = sum(c.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (event_outbox, event_delivery))
print(n)
"""

if __name__ == "__main__":
    sys.exit(main())
