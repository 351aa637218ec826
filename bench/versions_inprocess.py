"""TMF622 v4 and v5 side by side in one process, without an HTTP server or wrk.

`api.py --versions v4,v5` measures the server's CPU per request under wrk's load; on a shared
2-core machine its rounds move with the other work. This calls the ASGI application directly
(the whole request path: routing, middleware, validation, translation, the writer thread),
alternating v4 and v5 in small batches so that both meet the same machine, and prints the
median CPU time per request of each and their ratio (`time.process_time`: every thread of
the process, the writer's included).

    ./dev bench versions_inprocess --orders 5000 --rounds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from api import order_body
from cascade.bootstrap import build
from cascade.settings import Settings
from cascade.storage.migrate import upgrade
from versions import V4_COLLECTION, V5_COLLECTION, v5_body

Asgi = Callable[..., Coroutine[Any, Any, None]]


async def call(app: Asgi, method: str, path: str, body: bytes = b"") -> tuple[int, str]:
    """One request straight into the application; its status and Location."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    received = False
    status, location = 0, ""

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            await asyncio.Event().wait()  # no disconnect while the request runs
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, location
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = dict(message["headers"])
            location = headers.get(b"location", b"").decode()

    await app(scope, receive, send)
    return status, location


class Lifespan:
    """The application's startup and shutdown, as a server runs them."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def event(self, name: str) -> None:
        if self.task is None:
            scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
            self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": f"lifespan.{name}"})
        answer = await self.outbox.get()
        if answer["type"] != f"lifespan.{name}.complete":
            raise SystemExit(f"lifespan {name}: {answer}")


async def measure(args: argparse.Namespace, app: Asgi, ids: list[str]) -> dict[str, Any]:
    bodies = {
        "v4": json.dumps(order_body(random.Random(3), "IN-v4")).encode(),
        "v5": json.dumps(v5_body(order_body(random.Random(3), "IN-v5"))).encode(),
    }
    collections = {"v4": V4_COLLECTION, "v5": V5_COLLECTION}
    per_request: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.rounds):
        versions = ["v4", "v5"] if round_ % 2 == 0 else ["v5", "v4"]
        for phase, batch in (("retrieve", args.retrieves), ("create", args.creates)):
            for version in versions:
                started = time.process_time()
                for n in range(batch):
                    if phase == "retrieve":
                        entity = ids[(round_ * batch + n) % len(ids)]
                        status, _ = await call(app, "GET", f"{collections[version]}/{entity}")
                    else:
                        status, _ = await call(app, "POST", collections[version], bodies[version])
                    if status not in (200, 201):
                        raise SystemExit(f"{version} {phase} answered {status}")
                spent = (time.process_time() - started) / batch * 1e6
                per_request.setdefault((phase, version), []).append(spent)
    figures: dict[str, Any] = {"rounds": args.rounds}
    for phase in ("create", "retrieve"):
        v4, v5 = per_request[(phase, "v4")], per_request[(phase, "v5")]
        figures[f"v4_{phase}_us"] = round(statistics.median(v4), 1)
        figures[f"v5_{phase}_us"] = round(statistics.median(v5), 1)
        paired = [b / a for a, b in zip(v4, v5, strict=True)]
        figures[f"v5_over_v4_{phase}"] = round(statistics.median(paired), 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders created to retrieve")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--retrieves", type=int, default=200, help="GETs per batch")
    parser.add_argument("--creates", type=int, default=60, help="POSTs per batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cascade-inprocess-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'cascade.db'}"
        upgrade(url)
        app = build(Settings(database_url=url, controllers=False)).app

        async def run() -> dict[str, Any]:
            server = Lifespan(app)
            await server.event("startup")
            body = json.dumps(order_body(random.Random(1), "SEED")).encode()
            ids = []
            for _ in range(args.orders):
                status, location = await call(app, "POST", V4_COLLECTION, body)
                if status != 201 or not location:
                    raise SystemExit(f"seeding POST answered {status}")
                ids.append(location.rsplit("/", 1)[-1])
            figures = await measure(args, app, ids)
            await server.event("shutdown")
            return figures

        figures = asyncio.run(run())
    for phase in ("create", "retrieve"):
        v4, v5 = figures[f"v4_{phase}_us"], figures[f"v5_{phase}_us"]
        ratio = figures[f"v5_over_v4_{phase}"]
        print(f"{phase:9s} v4 {v4:8.1f} us   v5 {v5:8.1f} us   v5/v4 {ratio:.3f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
