"""With the HTTP activation driver, changes it cannot make are refused before anything changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cascade.settings import Settings
from tests.e2e.server import free_port, running_server
from tests.fulfilment.conftest import FAST, SO, Chain, broadband
from tests.fulfilment.test_lifecycle import (
    PRODUCT,
    change,
    fulfilled,
    owners,
    product_of,
    service_tree,
)

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
        activation_http_timeout_s=5.0,
    )


@pytest.mark.parametrize("characteristics", [{}, {"downloadSpeed": 1000}], ids=["delete", "modify"])
def test_a_change_the_driver_cannot_make_fails_with_the_reason_and_changes_nothing(
    chain: Chain, characteristics: dict[str, int]
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    services = service_tree(chain, product_id)
    held = owners(chain)
    action = "modify" if characteristics else "delete"
    order = chain.wait_for(chain.place(change("1", action, product_id, **characteristics))["id"])
    assert order["state"] == "failed"
    assert "HttpDriver activation driver cannot re-configure or deactivate yet" in " ".join(
        n["text"] for n in order["note"]
    )
    (service_order,) = chain.get(SO, **{"externalReference.id": order["id"]})
    assert service_order["state"] == "rejected"
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "active"
    assert service_tree(chain, product_id) == services
    assert owners(chain) == held
