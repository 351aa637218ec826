"""COM carries a hold and a release to a scripted SOM (an httpx mock transport; ADR 0022).

What the follower sends for a parent's hold or release, and when: a merge-patch PATCH of the
remote order's state, in the order asked with the last ask winning, retried while SOM is
unavailable, and held back while the order has not started there (`held` is reached from
`inProgress` only). The real three components are in tests/e2e/test_component_holds.py.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select

from cascade.apis import kinds
from cascade.components import links
from cascade.components.links import LINKED
from cascade.storage.tables import remote_order
from tests.fulfilment.conftest import PO, SOM_URL, Chain, broadband, com_before
from tests.waiting import PATIENCE_S

SOM = SOM_URL
SO_PATH = "/tmf-api/serviceOrdering/v4/serviceOrder"
HUB_PATH = "/tmf-api/serviceOrdering/v4/hub"
MERGE = {"content-type": "application/merge-patch+json"}


@dataclass
class HoldingSom:
    """A SOM whose orders run until the test ends; PATCHes wait for `gate` to be open."""

    starts: str = "inProgress"  # the state an order is in once created
    unavailable: int = 0  # PATCHes answered 503 before one is taken
    gate: threading.Event = field(default_factory=threading.Event)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    arrived: list[str] = field(default_factory=list)  # each PATCH's state, as it arrives
    media_types: set[str] = field(default_factory=set)
    reads: int = 0  # GETs of an order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.gate.set()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == HUB_PATH:
            return httpx.Response(201, json={"id": "sub-1", "callback": "x"})
        if request.method == "POST":
            return self._post(request)
        order_id = request.url.path.rsplit("/", 1)[-1]
        if request.method == "PATCH":
            with self.lock:
                self.arrived.append(json.loads(request.content)["state"])
                self.media_types.add(request.headers["content-type"])
                if len(self.arrived) <= self.unavailable:
                    return httpx.Response(503, json={"code": "unavailable"})
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, PATIENCE_S)
            return self._set(order_id, json.loads(request.content)["state"])
        with self.lock:
            self.reads += 1
            return self._answer(order_id, 200)

    def _post(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            order_id = f"som-{len(self.orders) + 1}"
            href = f"{SOM}{SO_PATH}/{order_id}"
            body = json.loads(request.content)
            self.orders[order_id] = {**body, "id": order_id, "href": href, "state": self.starts}
            self.versions[order_id] = 1
            return self._answer(order_id, 201)

    def _set(self, order_id: str, state: str) -> httpx.Response:
        with self.lock:
            self.orders[order_id]["state"] = state
            self.versions[order_id] += 1
            return self._answer(order_id, 200)

    def _answer(self, order_id: str, status: int) -> httpx.Response:
        etag = f'"{self.versions[order_id]}"'
        return httpx.Response(status, json=self.orders[order_id], headers={"ETag": etag})

    def state(self, state: str) -> None:
        """Every order moves to `state` (as SOM's controllers would move it)."""
        for order_id in list(self.orders):
            self._set(order_id, state)


@pytest.fixture
def som() -> HoldingSom:
    return HoldingSom()


@pytest.fixture
def com(database_url: str, som: HoldingSom) -> Iterator[Chain]:
    with com_before(database_url, som, poll_interval_s=300) as running:
        yield running


def running_order(com: Chain, som: HoldingSom) -> str:
    """A product order running, its service order created at SOM and followed by COM."""
    placed = com.place(broadband())
    path = f"{PO}/{placed['id']}"
    com.until(lambda: com.get(path)["state"] == "inProgress")
    com.until(lambda: mirror(com) == (LINKED, som.starts))
    return path


def mirror(com: Chain) -> tuple[str, str] | None:
    """The phase of COM's one mirror and the state it shows."""

    def read(connection: Connection) -> tuple[str, str] | None:
        row = connection.execute(select(remote_order.c.phase, remote_order.c.local_id)).first()
        document = row and com.cascade.repositories[kinds.SERVICE_ORDER].peek(connection, row[1])
        return None if row is None or not document else (str(row[0]), str(document["state"]))

    return com.cascade.database.read_sync(read)


def pending(com: Chain) -> int:
    """Asks not carried out yet."""
    return com.cascade.database.read_sync(links.asks_pending)


def to(com: Chain, path: str, state: str) -> None:
    answer = com.client.patch(path, json={"state": state}, headers=MERGE)
    assert answer.status_code == 200, answer.text


def test_a_hold_then_a_release_arrive_in_order_and_the_last_ask_wins(
    com: Chain, som: HoldingSom
) -> None:
    path = running_order(com, som)
    som.gate.clear()  # the first PATCH waits at SOM
    to(com, path, "held")
    com.until(lambda: som.arrived == ["held"])
    # Asked while the hold is in flight: the release, then a hold and a release again.
    for state in ("inProgress", "held", "inProgress"):
        to(com, path, state)
    som.gate.set()
    com.until(lambda: pending(com) == 0)
    assert som.arrived == ["held", "inProgress"]  # one exchange at a time; the last ask won
    assert som.media_types == {"application/merge-patch+json"}
    com.until(lambda: mirror(com) == (LINKED, "inProgress"))  # the mirror shows SOM's state


def test_a_hold_is_retried_while_som_is_unavailable(com: Chain, som: HoldingSom) -> None:
    som.unavailable = 2
    path = running_order(com, som)
    to(com, path, "held")
    com.until(lambda: pending(com) == 0)
    assert som.arrived == ["held"] * 3
    com.until(lambda: mirror(com) == (LINKED, "held"))
    to(com, path, "inProgress")
    com.until(lambda: pending(com) == 0)
    assert som.arrived == ["held"] * 3 + ["inProgress"]
    assert com.get(path)["state"] == "inProgress"


def test_a_hold_waits_until_the_order_runs_at_som(com: Chain, som: HoldingSom) -> None:
    """`held` is reached from `inProgress` only: the order is read again until it runs."""
    som.starts = "acknowledged"
    path = running_order(com, som)
    to(com, path, "held")
    seen = som.reads
    com.until(lambda: som.reads >= seen + 2)  # read again, twice, and not PATCHed
    assert som.arrived == [] and pending(com) == 1
    som.state("inProgress")
    com.until(lambda: pending(com) == 0)
    assert som.arrived == ["held"]
    com.until(lambda: mirror(com) == (LINKED, "held"))


def test_a_release_sends_nothing_where_no_hold_went(com: Chain, som: HoldingSom) -> None:
    som.starts = "acknowledged"
    path = running_order(com, som)
    to(com, path, "held")
    to(com, path, "inProgress")  # before the order ran at SOM: nothing was held there
    com.until(lambda: pending(com) == 0)
    assert som.arrived == []
