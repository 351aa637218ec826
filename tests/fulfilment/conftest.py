"""A Cascade with its controllers running and the demo catalog loaded, behind a test client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.catalogs import demo_catalog
from cascade.settings import Settings
from tests.api.official_schemas import OfficialSchemas
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.waiting import PATIENCE_S
from tests.waiting import until as wait_until

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"
TERMINAL = {"completed", "failed", "partial", "rejected", "cancelled"}

SOM_URL = "http://som.test"  # a scripted SOM's address (com_before)


@dataclass
class Chain:
    cascade: Cascade
    client: TestClient[Any]

    def place(self, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
        response = self.client.post(PO, json={"productOrderItem": list(items), **extra})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        assert body["state"] == "acknowledged"
        return body

    def get(self, path: str, **params: str) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for(
        self, order_id: str, path: str = PO, timeout: float = PATIENCE_S
    ) -> dict[str, Any]:
        """The order once it reaches a terminal state."""
        deadline = time.monotonic() + timeout
        while True:
            order: dict[str, Any] = self.get(f"{path}/{order_id}")
            if order["state"] in TERMINAL:
                return order
            if time.monotonic() > deadline:
                raise AssertionError(f"order {order_id} still {order['state']} after {timeout}s")
            time.sleep(0.02)

    def until(self, check: Callable[[], bool], timeout: float = PATIENCE_S) -> None:
        wait_until(check, "condition", timeout)


def broadband(item_id: str = "1", speed: int = 500) -> dict[str, Any]:
    return {
        "id": item_id,
        "action": "add",
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "downloadSpeed", "value": speed}]},
    }


def offering_item(item_id: str, offering: str, **characteristics: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": item_id, "action": "add", "productOffering": {"id": offering}}
    if characteristics:
        item["product"] = {
            "productCharacteristic": [
                {"name": name, "value": value} for name, value in characteristics.items()
            ]
        }
    return item


FAST = Settings(
    public_url=PUBLIC_URL,
    poll_interval_s=0.05,
    activation_backoff_ms=10,
    lease_ms=5_000,
)


@pytest.fixture
def chain_settings() -> Settings:
    """Override in a test module to change the simulated network or the attempts."""
    return FAST


@contextmanager
def running_chain(
    database_url: str, settings: Settings, prepare: Callable[[Cascade], None] = lambda _: None
) -> Iterator[Chain]:
    """A Cascade on emptied tables with the demo catalog; `prepare` runs before it starts."""
    cascade = build(replace(settings, database_url=database_url, controllers=True))
    cascade.database.write_sync(_empty_tables)
    cascade.catalogs.load(demo_catalog())
    prepare(cascade)
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield Chain(cascade, client)
    finally:
        cascade.close()


@contextmanager
def com_before(
    database_url: str, som: Callable[[httpx.Request], Any], poll_interval_s: float
) -> Iterator[Chain]:
    """COM as a component whose follower talks to a scripted SOM (an httpx handler) at
    `SOM_URL` (sync or async, as httpx.MockTransport takes it), retrying after 20 ms."""
    settings = replace(
        FAST, component="com", som_url=SOM_URL, component_poll_interval_s=poll_interval_s
    )

    def talk_to_the_scripted_som(cascade: Cascade) -> None:
        follower = cascade.chain.follower
        assert follower is not None
        follower._transport = httpx.MockTransport(som)
        follower.settings = replace(follower.settings, backoff_ms=20)

    with running_chain(database_url, settings, talk_to_the_scripted_som) as running:
        yield running


@pytest.fixture
def chain(database_url: str, chain_settings: Settings) -> Iterator[Chain]:
    with running_chain(database_url, chain_settings) as running:
        yield running


@pytest.fixture(scope="session")
def official() -> OfficialSchemas:
    return OfficialSchemas()
