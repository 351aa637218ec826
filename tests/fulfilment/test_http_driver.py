"""The HTTP activation driver against a second, real Cascade: its TMF640/TMF702 POST endpoints
perform the activations of a product order placed on the first one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from cascade.domain.characteristics import as_values
from cascade.fulfilment.activation.http.driver import HttpDriver
from cascade.settings import Settings
from cascade.storage.tables import remote_activation
from tests.e2e.server import free_port, running_server
from tests.fulfilment.conftest import FAST, Chain, broadband
from tests.waiting import HTTP_TIMEOUT_S

TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"


LATENCY_MS = 300


@dataclass(frozen=True)
class Remote:
    url: str
    latency_ms: int


@pytest.fixture(scope="module", params=[0, LATENCY_MS], ids=["answers-201", "answers-202"])
def cascade_b(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Remote]:
    """Another Cascade whose simulated network takes `param` ms: 201 at once, or 202."""
    port = free_port()
    database = f"sqlite:///{tmp_path_factory.mktemp('cascade-b') / 'b.db'}"
    environment = {
        "CASCADE_SIMULATOR_LATENCY_MS": str(request.param),
        "CASCADE_POLL_INTERVAL_S": "0.05",
    }
    log = Path(tmp_path_factory.mktemp("cascade-b-log")) / "server.log"
    with running_server(database, port, environment=environment, log=log):
        yield Remote(f"http://127.0.0.1:{port}", int(request.param))


@pytest.fixture
def chain_settings(cascade_b: Remote) -> Settings:
    return replace(
        FAST,
        activation_driver="http",
        activation_service_url=f"{cascade_b.url}{TMF640}",
        activation_resource_url=f"{cascade_b.url}{TMF702}",
        activation_follow_ms=50,
        activation_http_timeout_s=HTTP_TIMEOUT_S,  # B answers at once, if slowly under load
    )


def _remote_rows(chain: Chain) -> list[Any]:
    return chain.cascade.database.read_sync(
        lambda c: list(c.execute(select(remote_activation)).all())
    )


def _total(client: httpx.Client, path: str) -> int:
    return int(client.get(path, params={"limit": 1}).headers["X-Total-Count"])


def test_a_product_order_completes_with_activations_done_by_another_cascade(
    chain: Chain, cascade_b: Remote
) -> None:
    slow = cascade_b.latency_ms > 0
    with httpx.Client(base_url=cascade_b.url, timeout=HTTP_TIMEOUT_S) as b:
        before = (_total(b, f"{TMF640}/service"), _total(b, f"{TMF702}/resource"))
        placed = chain.place(broadband(speed=1000))
        order = chain.wait_for(placed["id"])
        assert order["state"] == "completed", order.get("note")

        services = chain.get(f"{TMF640}/service")
        resources = chain.get(f"{TMF702}/resource")
        assert services and resources
        rows = {row.activation: row for row in _remote_rows(chain)}
        assert set(rows) == {e["id"] for e in services + resources}
        # One remote entity per activation, nothing posted twice.
        after = (_total(b, f"{TMF640}/service"), _total(b, f"{TMF702}/resource"))
        assert after == (before[0] + len(services), before[1] + len(resources))

        for local, attribute, done, prefix in (
            *((s, "state", "active", "service") for s in services),
            *((r, "resourceStatus", "available", "resource") for r in resources),
        ):
            row = rows[local["id"]]
            assert (row.phase, row.attempt, row.idempotency_key) == ("done", 1, local["id"])
            # B answered 201 (nothing to follow) or 202 (its monitor followed to Completed).
            assert row.follows == ("monitor" if slow else None)
            assert local[attribute] == done
            remote = b.get(row.remote_href).json()
            assert remote[attribute] == done
            assert remote["id"] != local["id"]
            # The remote end got the values the catalog and the pools decided here.
            characteristics = f"{prefix}Characteristic"
            assert as_values(remote[characteristics]) == as_values(local[characteristics])
            assert remote[f"{prefix}Specification"]["id"] == local[f"{prefix}Specification"]["id"]
        for api in (TMF640, TMF702):
            assert {m["state"] for m in chain.get(f"{api}/monitor")} == {"Completed"}


def test_a_post_whose_answer_was_lost_is_answered_from_the_first(
    chain: Chain, cascade_b: Remote
) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
    assert order["state"] == "completed"
    with httpx.Client(base_url=cascade_b.url, timeout=HTTP_TIMEOUT_S) as b:
        before = _total(b, f"{TMF702}/resource")
        # As if the process had died between the POST and recording its answer.
        lost = _remote_rows(chain)[0].activation
        chain.cascade.database.write_sync(
            lambda c: c.execute(
                update(remote_activation)
                .where(remote_activation.c.activation == lost)
                .values(phase="post", remote_href=None)
            )
        )
        driver = chain.cascade.chain.driver
        assert isinstance(driver, HttpDriver)
        driver.notify()  # the sender's wake: as when an activation is recorded
        chain.until(lambda: {r.activation: r for r in _remote_rows(chain)}[lost].phase == "done")
        row = {r.activation: r for r in _remote_rows(chain)}[lost]
        assert row.remote_href  # the same remote entity, replayed for the same Idempotency-Key
        assert _total(b, f"{TMF702}/resource") == before


def test_a_client_post_on_one_cascade_is_activated_by_the_other(
    chain: Chain, cascade_b: Remote
) -> None:
    body = {
        "name": "QoS gold",
        "state": "active",
        "serviceSpecification": {"id": "rfs-qos", "name": "QoS"},
        "serviceCharacteristic": [{"name": "profile", "value": "gold"}],
    }
    response = chain.client.post(f"{TMF640}/service", json=body)
    assert response.status_code == 202, response.text  # the HTTP call never happens inside
    monitor_path = response.headers["Location"].removeprefix(str(chain.client.base_url))
    chain.until(lambda: chain.get(monitor_path)["state"] != "InProgress")
    assert chain.get(monitor_path)["state"] == "Completed"
    (row,) = _remote_rows(chain)
    with httpx.Client(timeout=HTTP_TIMEOUT_S) as b:
        remote = b.get(row.remote_href).json()
    assert remote["state"] == "active"
    assert remote["name"] == "QoS gold"
