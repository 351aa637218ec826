"""A client's TMF640/TMF702 POST answered 202 (a Monitor) is audited under the activated entity's
id, not the monitor's: the trail names what the client created."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.security.apikeys import create_key
from cascade.security.scopes import parse_scopes
from cascade.security.settings import SecuritySettings
from cascade.settings import Settings
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.gate import Gate
from tests.security.conftest import Client

TMF640 = "/tmf-api/ServiceActivationAndConfiguration/v4"
TMF702 = "/tmf-api/ResourceActivationAndConfiguration/v4"
SERVICE = {"name": "QoS", "state": "active", "serviceSpecification": {"id": "rfs-qos"}}
RESOURCE = {
    "name": "VLAN 100",
    "resourceSpecification": {"id": "rs-vlan", "href": "http://catalog.example/rs-vlan"},
}


@pytest.fixture
def slow_network(database_url: str, gate: Gate) -> Iterator[tuple[Cascade, Client]]:
    """API keys, and a simulated network held at its gate: every activation answers 202."""
    gate.close()
    settings = Settings(
        database_url=database_url,
        public_url=PUBLIC_URL,
        controllers=False,  # the activation stays in progress: the answer is the monitor
        simulator_gate=gate.setting,
        security=SecuritySettings(auth_mode="apikey", api_key_cache_s=0),
    )
    cascade = build(settings)
    cascade.database.write_sync(_empty_tables)
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield cascade, client
    finally:
        cascade.close()


def _key(cascade: Cascade, scopes: str) -> dict[str, str]:
    _, key = cascade.database.write_sync(
        lambda c: create_key(c, "test", parse_scopes(scopes), None)
    )
    return {"X-API-Key": key}


@pytest.mark.parametrize(
    ("path", "body", "kind"),
    [
        (f"{TMF640}/service", SERVICE, "tmf640.service"),
        (f"{TMF702}/resource", RESOURCE, "tmf702.resource"),
    ],
)
def test_a_202_activation_is_audited_under_the_entity_not_the_monitor(
    slow_network: tuple[Cascade, Client], path: str, body: dict[str, Any], kind: str
) -> None:
    cascade, client = slow_network
    clerk = _key(cascade, "serviceActivation resourceActivation")
    response = client.post(path, json=body, headers=clerk)
    assert response.status_code == 202, response.text
    monitor = response.json()
    assert monitor["@type"] == "Monitor"
    entity_id = monitor["sourceHref"].rsplit("/", 1)[-1]
    assert entity_id != monitor["id"]
    assert client.get(f"{path}/{entity_id}", headers=clerk).status_code == 200

    trail = client.get("/cascade/audit", headers=_key(cascade, "admin")).json()
    assert [(e["action"], e["kind"], e["entityId"]) for e in trail] == [("create", kind, entity_id)]
