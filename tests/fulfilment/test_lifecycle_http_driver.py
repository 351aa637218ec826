"""With the HTTP activation driver, cease and modify change the remote entities (a real Cascade)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from cascade.settings import Settings
from cascade.storage.tables import remote_activation
from tests.e2e.server import free_port, running_server
from tests.fulfilment.conftest import FAST, Chain, broadband
from tests.fulfilment.test_lifecycle import (
    PRODUCT,
    change,
    fulfilled,
    owners,
    product_of,
    service_tree,
)
from tests.waiting import HTTP_TIMEOUT_S

TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another Cascade whose TMF640/TMF702 endpoints activate at once."""
    port = free_port()
    database = f"sqlite:///{tmp_path_factory.mktemp('remote') / 'b.db'}"
    log = Path(tmp_path_factory.mktemp("remote-log")) / "server.log"
    with running_server(database, port, environment={"CASCADE_POLL_INTERVAL_S": "0.05"}, log=log):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def chain_settings(remote: str) -> Settings:
    return replace(
        FAST,
        activation_driver="http",
        activation_service_url=f"{remote}{TMF640}",
        activation_resource_url=f"{remote}{TMF702}",
        activation_follow_ms=50,
        activation_http_timeout_s=HTTP_TIMEOUT_S,  # B answers at once, if slowly under load
    )


def remote_hrefs(chain: Chain) -> dict[str, str]:
    """Local activation id -> the remote entity it made (the HTTP driver's record)."""
    table = remote_activation
    rows = chain.cascade.database.read_sync(
        lambda c: c.execute(
            select(table.c.activation, table.c.remote_href).where(table.c.operation == "activate")
        ).all()
    )
    return {row.activation: row.remote_href for row in rows if row.remote_href}


def test_a_cease_deactivates_every_remote_entity_of_the_product(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    hrefs = remote_hrefs(chain)
    fulfilled(chain, change("1", "delete", product_id))
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "terminated"
    assert owners(chain) == set()
    kinds = set()
    for href in hrefs.values():
        remote = httpx.get(href, timeout=HTTP_TIMEOUT_S).json()
        if "/service/" in href:
            assert remote["state"] == "inactive", href
        else:
            assert (remote["administrativeState"], remote["operationalState"]) == (
                "locked",
                "disable",
            )
        kinds.add(href.rsplit("/", 2)[1])
    assert kinds == {"service", "resource"}


def test_a_speed_upgrade_reconfigures_the_remote_qos_service(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    services = service_tree(chain, product_id)
    fulfilled(chain, change("1", "modify", product_id, downloadSpeed=1000))
    qos = httpx.get(
        remote_hrefs(chain)[services["rfs-qos-profile"]["id"]], timeout=HTTP_TIMEOUT_S
    ).json()
    assert qos["state"] == "active"
    speeds = {c["name"]: c["value"] for c in qos["serviceCharacteristic"]}
    assert speeds["downloadSpeed"] == 1000
