"""Processes lost under a stream of orders: named workers, their takeovers, and the stream.

`Workers` starts `cascade worker` processes on one PostgreSQL database, each with its own
`/metrics` listener and its own `application_name`, so that after a SIGKILL the test can wait
until PostgreSQL has ended the dead process's sessions (whatever it had sent has then committed
or rolled back) before it reads which work items the dead process still holds.

`Stream` is a thread that places orders one after another and cancels some of them a few
orders later. Each request carries an `Idempotency-Key` and is sent again until an answer
comes, so an API process killed under it loses nothing and makes nothing twice.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from cascade.storage.tables import work_item
from tests.e2e.fulfilment import PO, order_mix
from tests.e2e.server import free_port
from tests.operations.scrape import parse, value
from tests.waiting import HTTP_TIMEOUT_S, PATIENCE_S, STARTUP_S, until

CANCEL_PO = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
RUNNING = re.compile(r"worker (\S+) running controllers")
TAKEN_OVER = "cascade_leases_taken_over_total"


def query(database_url: str, sql: Any, **parameters: Any) -> Any:
    """One scalar read on its own connection."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sql, parameters).scalar()
    finally:
        engine.dispose()


@dataclass
class Worker:
    """A `cascade worker`: its process, session name, lease owner (once it runs), listener
    and output."""

    process: subprocess.Popen[bytes]
    name: str
    owner: str
    metrics: str
    log: Path

    def taken_over(self) -> float:
        """Its `cascade_leases_taken_over_total` of the work queue, scraped from /metrics."""
        answer = httpx.get(f"{self.metrics}/metrics", timeout=HTTP_TIMEOUT_S)
        assert answer.status_code == 200, answer.text
        return value(parse(answer.text), TAKEN_OVER, queue="work_item")


@dataclass
class Workers:
    """`cascade worker` processes on one database; every one is SIGKILLed at the end."""

    database_url: str
    environment: Mapping[str, str]
    directory: Path
    started: list[Worker] = field(default_factory=list)
    orphaned: dict[str, int] = field(default_factory=dict)  # killed worker -> leases it left

    def spawn(self) -> Worker:
        """A new worker process, not yet running (see `ready`)."""
        name = f"cascade-worker-{len(self.started) + 1}"
        url = make_url(self.database_url).update_query_dict({"application_name": name})
        port = free_port()
        database = url.render_as_string(hide_password=False)
        command = ["worker", "--metrics-port", str(port), "--database", database]
        log = self.directory / f"{name}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "cascade.cli", *command],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, **self.environment, "PYTHONUNBUFFERED": "1"},
            )
        worker = Worker(process, name, "", f"http://127.0.0.1:{port}", log)
        self.started.append(worker)
        return worker

    def ready(self, worker: Worker) -> Worker:
        """`worker`, once its controllers run and its /health/ready answers 200."""
        check = lambda: _ready(worker)  # noqa: E731
        worker.owner = until(check, f"{worker.name} ready", timeout=STARTUP_S)
        return worker

    def kill(self, worker: Worker) -> None:
        """SIGKILL, then wait until PostgreSQL has ended the worker's sessions."""
        sessions = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        assert query(self.database_url, sessions, name=worker.name) > 0, "sessions not named"
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=PATIENCE_S)
        until(
            lambda: query(self.database_url, sessions, name=worker.name) == 0,
            f"the sessions of {worker.name} ended",
        )

    def caught_at_work(self, worker: Worker) -> int:
        """Freeze `worker` (SIGSTOP) and, once none of its statements is still running in
        PostgreSQL, count the work items it holds: nothing it does can change that count until
        it is killed or thawed. Thaws it again when it holds none; returns the count."""
        running = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = :name AND state = 'active'"
        )
        worker.process.send_signal(signal.SIGSTOP)
        until(
            lambda: query(self.database_url, running, name=worker.name) == 0,
            f"the statements of the frozen {worker.name} done",
        )
        held = self.held_by(worker.owner)
        if held == 0:
            worker.process.send_signal(signal.SIGCONT)
        return held

    def held_by(self, owner: str) -> int:
        """How many work items still name `owner` as their lease holder."""
        held = select(func.count()).select_from(work_item).where(work_item.c.lease_owner == owner)
        return int(query(self.database_url, held))

    def close(self) -> None:
        for worker in self.started:
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait(timeout=10)


def _ready(worker: Worker) -> str:
    """The worker's lease owner once it runs and answers /health/ready, else ''."""
    assert worker.process.poll() is None, worker.log.read_text()[-2000:]
    running = RUNNING.search(worker.log.read_text(errors="replace"))
    if running is None:
        return ""
    try:
        ready = httpx.get(f"{worker.metrics}/health/ready", timeout=5).status_code == 200
    except httpx.TransportError:
        return ""
    return running.group(1) if ready else ""


def post_until_answered(
    client: httpx.Client, path: str, body: Mapping[str, Any], key: str
) -> dict[str, Any]:
    """POST with an Idempotency-Key, again and again while no API process answers: whatever
    happened to the earlier attempts, the key makes it one creation."""
    deadline = time.monotonic() + STARTUP_S
    while True:
        try:
            answer = client.post(path, json=body, headers={"Idempotency-Key": key})
            if answer.status_code < 500:
                assert answer.status_code == 201, (path, key, answer.text)
                return dict(answer.json())
        except httpx.TransportError:
            pass  # the API process is down, or was killed while answering
        assert time.monotonic() < deadline, f"no API process answered {path} ({key})"
        time.sleep(0.05)  # paces the retries while no process listens; waits for nothing


class Stream(threading.Thread):
    """Places up to `limit` orders, one every `pause_s`, until stopped; cancels the first at
    once and about one in four of the others up to three orders later (so at every stage of
    fulfilment)."""

    def __init__(self, base: str, seed: int, limit: int, pause_s: float) -> None:
        super().__init__(name="order-stream", daemon=True)
        self.base = base
        self.chance = random.Random(seed)
        self.bodies = order_mix(limit)
        self.pause_s = pause_s
        self.placed: dict[str, list[str]] = {}  # order id -> its items' offerings
        self.cancels: dict[str, str] = {}  # order id -> its cancel task's id
        self.error: BaseException | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            with httpx.Client(base_url=self.base, timeout=HTTP_TIMEOUT_S) as client:
                self._place(client)
        except BaseException as error:  # reported by finish(), in the test's thread
            self.error = error

    def _place(self, client: httpx.Client) -> None:
        waiting: list[tuple[int, str]] = []  # (cancel after order n, order id)
        for n, body in enumerate(self.bodies):
            if self._stopping.is_set():
                break
            order = post_until_answered(client, PO, body, f"order-{n}")
            self.placed[order["id"]] = [
                i["productOffering"]["id"] for i in body["productOrderItem"]
            ]
            if n == 0 or self.chance.random() < 0.25:  # the first at once: one cancel wins
                later = 0 if n == 0 else self.chance.randint(0, 3)
                waiting.append((n + later, order["id"]))
            for due, order_id in [w for w in waiting if w[0] <= n]:
                waiting.remove((due, order_id))
                self._cancel(client, order_id)
            self._stopping.wait(self.pause_s)
        for _, order_id in waiting:
            self._cancel(client, order_id)

    def _cancel(self, client: httpx.Client, order_id: str) -> None:
        body = {"productOrder": {"id": order_id}}
        task = post_until_answered(client, CANCEL_PO, body, f"cancel-{order_id}")
        self.cancels[order_id] = task["id"]

    def finish(self) -> None:
        """Stop placing, wait for the thread, and raise what went wrong in it."""
        self._stopping.set()
        self.join(timeout=STARTUP_S + PATIENCE_S)
        assert not self.is_alive(), "the order stream did not stop"
        if self.error is not None:
            raise self.error
