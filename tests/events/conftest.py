"""Fixtures for event delivery tests: a real HTTP listener and a Cascade with fast events.

The listener is a ThreadingHTTPServer on 127.0.0.1 that records every POST it accepts. It can
answer 503 (`listener.status = 503`), or be down (`listener.down()`: its port closed, so
connections are refused) and come back on the same port (`listener.up()`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, Engine, func, select

from cascade.bootstrap import Cascade, build
from cascade.catalogs import demo_catalog
from cascade.settings import Settings
from cascade.storage.tables import event_delivery, event_outbox
from tests.api.official_schemas import OfficialSchemas
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.fulfilment.conftest import FAST, Chain
from tests.ports import free_port
from tests.waiting import PATIENCE_S
from tests.waiting import until as wait_until

TIMEOUT = PATIENCE_S

# The base path of each API (its hub is BASE + "/hub") and its swagger file.
BASES = {
    "tmf622": "/tmf-api/productOrderingManagement/v4",
    "tmf641": "/tmf-api/serviceOrdering/v4",
    "tmf652": "/tmf-api/resourceOrderingManagement/v4",
    "tmf640": "/tmf-api/ServiceActivationAndConfiguration/v4",
    "tmf702": "/tmf-api/ResourceActivationAndConfiguration/v4",
    "tmf620": "/tmf-api/productCatalogManagement/v4",
    "tmf633": "/tmf-api/serviceCatalogManagement/v4",
    "tmf637": "/tmf-api/productInventory/v4",
    "tmf638": "/tmf-api/serviceInventory/v4",
    "tmf639": "/tmf-api/resourceInventoryManagement/v4",
}
SPEC_FILES = {
    "tmf622": "TMF622-ProductOrdering-v4.0.0.swagger.json",
    "tmf641": "TMF641-ServiceOrdering-v4.1.0.swagger.json",
    "tmf652": "TMF652-ResourceOrdering-v4.0.0.swagger.json",
    "tmf640": "TMF640-ServiceActivationConfiguration-v4.0.0.swagger.json",
    "tmf702": "TMF702-ResourceActivationConfiguration-v4.0.0.swagger.json",
    "tmf620": "TMF620-ProductCatalog-v4.1.0.swagger.json",
    "tmf633": "TMF633-ServiceCatalog-v4.0.0.swagger.json",
    "tmf637": "TMF637-ProductInventory-v4.0.0.swagger.json",
    "tmf638": "TMF638-ServiceInventory-v4.0.0.swagger.json",
    "tmf639": "TMF639-ResourceInventory-v4.0.0.swagger.json",
}
PO_HUB = f"{BASES['tmf622']}/hub"
OFFERING = f"{BASES['tmf620']}/productOffering"

EVENTS_FAST = replace(
    FAST, events_poll_interval_s=0.02, events_backoff_ms=50, events_backoff_max_ms=200
)


@dataclass(frozen=True)
class Received:
    """One POST the listener accepted."""

    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded

    @property
    def event_type(self) -> str:
        return str(self.event["eventType"])


class Listener:
    """A real HTTP event listener on 127.0.0.1 (a port of its own, kept across restarts)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.status = 201  # what it answers; >= 300 records nothing
        self.location: str | None = None  # sent with a 3xx status
        self.delay_s = 0.0  # how long it takes before answering
        self.arrived = 0  # POSTs whose body was read (answered or not yet)
        self.host = host
        self.port = free_port(host)  # not port 0: down() gives it up, up() takes it back
        self.attempts = 0  # every POST, whatever the answer
        self.tried: list[str] = []  # the X-Cascade-Event-Id of every POST
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.up()

    def url(self, path: str = "/events") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def up(self) -> None:
        if self._server is not None:
            return
        listener = self

        class Handler(BaseHTTPRequestHandler):  # HTTP/1.0: one request per connection
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = listener.status  # decided on arrival
                with listener._lock:
                    listener.arrived += 1
                if listener.delay_s:
                    time.sleep(listener.delay_s)
                with listener._lock:
                    listener.attempts += 1
                    listener.tried.append(headers.get("x-cascade-event-id", ""))
                    if status < 300:
                        listener._received.append(Received(self.path, headers, body))
                self.send_response(status)
                if listener.location is not None and 300 <= status < 400:
                    self.send_header("location", listener.location)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def down(self) -> None:
        """Close the port: connections are refused until `up()`."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            found = list(self._received)
        return [r for r in found if path is None or r.path == path]

    def wait(
        self,
        check: Callable[[list[Received]], bool],
        path: str | None = None,
        timeout: float = TIMEOUT,
        what: str = "events",
    ) -> list[Received]:
        """Poll until `check(received)` holds; fail with what arrived after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(path)
            if check(found):
                return found
            if time.monotonic() > deadline:
                types = [r.event_type for r in found]
                raise AssertionError(f"{what} not received in {timeout}s; got {types}")
            time.sleep(0.02)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    try:
        yield server
    finally:
        server.down()


@pytest.fixture
def chain_settings() -> Settings:
    return EVENTS_FAST


def _counts(connection: Connection) -> tuple[int, int]:
    outbox = connection.execute(select(func.count()).select_from(event_outbox)).scalar()
    deliveries = connection.execute(select(func.count()).select_from(event_delivery)).scalar()
    return int(outbox or 0), int(deliveries or 0)


def outbox_and_deliveries(cascade: Cascade) -> tuple[int, int]:
    """Rows still in the outbox, deliveries still pending or parked."""
    return cascade.database.read_sync(_counts)


def outbox_and_deliveries_of(engine: Engine) -> tuple[int, int]:
    """The same, read with a plain engine (a database another process serves)."""
    with engine.connect() as connection:
        return _counts(connection)


def until(check: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition") -> None:
    wait_until(check, what, timeout)


def start_chain(cascade: Cascade) -> Iterator[Chain]:
    """Serve `cascade` behind a test client, once the outbox of earlier writes is fanned out
    (so subscriptions made by a test see only the events of what the test does)."""
    with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
        until(lambda: outbox_and_deliveries(cascade)[0] == 0, what="empty outbox")
        yield Chain(cascade, client)


@pytest.fixture
def chain(database_url: str, chain_settings: Settings) -> Iterator[Chain]:
    """A Cascade with controllers and event delivery running, and the demo catalog."""
    cascade = build(replace(chain_settings, database_url=database_url, controllers=True))
    cascade.database.write_sync(_empty_tables)
    cascade.catalogs.load(demo_catalog())
    try:
        yield from start_chain(cascade)
    finally:
        cascade.close()


@pytest.fixture(scope="session")
def official() -> OfficialSchemas:
    return OfficialSchemas()


def subscribe(
    client: TestClient[Any],
    api: str,
    callback: str,
    query: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Create a hub subscription on `api` (tmf622, ...); returns the 201 answer."""
    body: dict[str, Any] = {"callback": callback, **extra}
    if query is not None:
        body["query"] = query
    response = client.post(f"{BASES[api]}/hub", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def new_offering(client: TestClient[Any], name: str, **attributes: Any) -> dict[str, Any]:
    """Create a productOffering (TMF620); one ProductOfferingCreateEvent each."""
    body = {"name": name, "lifecycleStatus": "In design", **attributes}
    response = client.post(OFFERING, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def delivery_attempts(cascade: Cascade) -> list[int]:
    """The attempts of every delivery still in the table (pending or parked)."""
    return cascade.database.read_sync(
        lambda c: [int(a) for a in c.execute(select(event_delivery.c.attempts)).scalars()]
    )


CREATES = "eventType=ProductOfferingCreateEvent"
