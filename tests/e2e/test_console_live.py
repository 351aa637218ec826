"""An order page's live stream is fed by the committed events, not by polling (issue 16).

The servers run with the stream's safety re-read set to an hour (CASCADE_CONSOLE_LIVE_NET_S),
so each change the stream shows within the test's patience can only have come from an event
heard: on SQLite in one process (the in-process feed), and on SQLite and PostgreSQL from a
`cascade worker` process while the stream is served by `cascade serve --no-controllers` (the
change made by another process, heard through a notice: a datagram socket, a pg_notify).
The same on SQLite between two serving processes (each listening, as the processes of `serve
--workers 2` do; on two ports here, so that the test reaches the one that made no change):
the stream is served by one, the order placed, held and released through the other, which
runs the controllers. The order is held at the simulated network's gate, held and released
by the API, and followed to its end.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_ENV, fresh_database_url
from tests.e2e.fulfilment import PO, broadband, running_worker
from tests.e2e.server import free_port, running_server
from tests.gate import Gate, new_gate
from tests.waiting import HTTP_TIMEOUT_S, until

GATED = "rs-gpon-port"  # the GPON port's activation waits at the gate while it is closed
NO_NET = {"CASCADE_CONSOLE_LIVE_NET_S": "3600", "CASCADE_WORKERS": "1"}
STATE = re.compile(r'id="order-state">([^<]+)<')


class LiveStream:
    """The events of `GET /console/productOrder/<id>/live`, read on a thread as they come."""

    def __init__(self, base: str, order_id: str) -> None:
        self.events: list[tuple[str, str]] = []
        self._client = httpx.Client(base_url=base, timeout=httpx.Timeout(HTTP_TIMEOUT_S, read=None))
        self._response = self._client.send(
            self._client.build_request("GET", f"/console/productOrder/{order_id}/live"),
            stream=True,
        )
        assert self._response.status_code == 200, self._response.read()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        name, data = "message", []
        try:
            for line in self._response.iter_lines():
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:
                    self.events.append((name, "\n".join(data)))
                    name, data = "message", []
        except httpx.HTTPError:
            return  # closed by the test

    def trees(self) -> list[str]:
        return [data for name, data in self.events if name == "tree"]

    def shows(self, state: str, label: str | None = None) -> bool:
        """Whether the latest tree sent shows the order (or a node `label`) in `state`."""
        trees = self.trees()
        if not trees:
            return False
        latest = trees[-1]
        if label is None:
            found = STATE.search(latest)
            return found is not None and found.group(1) == state
        return f'data-state="{state}" data-label="{label}"' in latest

    def close(self) -> None:
        self._response.close()
        self._client.close()


@contextmanager
def sqlite_server(tmp_path: Path, gate: Gate) -> Iterator[str]:
    """One `cascade serve` process, controllers in it: the in-process feed."""
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    env = {**NO_NET, "CASCADE_SIMULATOR_GATE": gate.setting}
    with running_server(url, port, "--demo", environment=env, log=tmp_path / "serve.log"):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def apart(backend: str, tmp_path: Path, gate: Gate) -> Iterator[str]:
    """`cascade serve --no-controllers` and a `cascade worker`: every change of the order is
    made by the worker process, and heard by the serving one through PostgreSQL's notices or,
    on SQLite, the notice sockets beside the database file."""
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    env = {**NO_NET, "CASCADE_SIMULATOR_GATE": gate.setting}
    with ExitStack() as stack:
        log = tmp_path / "serve.log"
        stack.enter_context(
            running_server(url, port, "--demo", "--no-controllers", environment=env, log=log)
        )
        stack.enter_context(running_worker(url, env, tmp_path / "worker.log"))
        yield f"http://127.0.0.1:{port}"


@contextmanager
def two_serving(tmp_path: Path, gate: Gate) -> Iterator[tuple[str, str]]:
    """Two serving processes on one SQLite file, as `serve --workers 2` runs them but each
    on its own port, so that the test chooses which one it asks: the first runs the
    controllers and takes the API's requests, the second serves the stream."""
    url = fresh_database_url("sqlite", tmp_path)
    first, second = free_port(), free_port()
    env = {**NO_NET, "CASCADE_SIMULATOR_GATE": gate.setting}
    with ExitStack() as stack:
        stack.enter_context(
            running_server(url, first, "--demo", environment=env, log=tmp_path / "first.log")
        )
        log = tmp_path / "second.log"
        stack.enter_context(
            running_server(url, second, "--no-controllers", environment=env, log=log)
        )
        yield f"http://127.0.0.1:{first}", f"http://127.0.0.1:{second}"


@contextmanager
def _same(servers: Any) -> Iterator[tuple[str, str]]:
    with servers as base:
        yield base, base


def _servers(backend: str, tmp_path: Path, gate: Gate) -> Any:
    """The API's base URL and the stream's (another process's where they differ)."""
    if backend == "sqlite":
        return _same(sqlite_server(tmp_path, gate))
    if backend == "sqlite-two-serving":
        return two_serving(tmp_path, gate)
    return _same(apart(backend.removesuffix("-apart"), tmp_path, gate))


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        "sqlite-apart",
        "sqlite-two-serving",
        pytest.param(
            "postgresql-apart",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"
                ),
            ],
        ),
    ],
)
def test_a_held_then_released_order_is_followed_by_its_events(backend: str, tmp_path: Path) -> None:
    gate = new_gate(tmp_path / "gate")
    gate.close(GATED)
    with (
        _servers(backend, tmp_path, gate) as (base, streamed),
        httpx.Client(base_url=base, timeout=HTTP_TIMEOUT_S) as client,
    ):
        body = {
            "externalId": "live-events",
            "relatedParty": [{"id": "acme", "role": "customer", "@referredType": "Organization"}],
            "productOrderItem": [broadband()],
        }
        placed = client.post(PO, json=body)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        stream = LiveStream(streamed, order_id)
        try:
            # Every step below is made after the stream's first read, by the controllers.
            until(lambda: stream.shows("inProgress", "ResourceOrder"), "the resource order")
            until(lambda: stream.shows("inProgress"), "the order in progress")
            held = client.patch(f"{PO}/{order_id}", json={"state": "held"})
            assert held.status_code == 200, held.text
            until(lambda: stream.shows("held"), "the order held")
            until(lambda: stream.shows("held", "ResourceOrder"), "the hold down the tree")
            released = client.patch(f"{PO}/{order_id}", json={"state": "inProgress"})
            assert released.status_code == 200, released.text
            until(lambda: stream.shows("inProgress", "ResourceOrder"), "the release down the tree")
            gate.open()
            until(lambda: stream.shows("completed"), "the order completed")
            until(lambda: stream.shows("active", "TMF637 product"), "the product recorded")
            until(lambda: ("ended", "ended") in stream.events, "the stream's end")
        finally:
            stream.close()
