"""A client PATCHes a TMF640 service or TMF702 resource it activated: taking it out of service
deactivates it on the (simulated) network, new characteristics re-configure it, in the PATCH's
transaction; other changes leave the network alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cascade.storage.tables import simulated_network
from tests.fulfilment.conftest import FAST, Chain
from tests.fulfilment.test_client_activation import RESOURCE, SERVICE, SLOW, TMF640, TMF702

MERGE = {"content-type": "application/merge-patch+json"}


def network(chain: Chain) -> dict[str, dict[str, Any]]:
    rows = chain.cascade.database.read_sync(lambda c: c.execute(simulated_network.select()).all())
    return {row.activation: json.loads(row.request) for row in rows}


def activated(chain: Chain, path: str, body: dict[str, Any]) -> str:
    created = chain.client.post(path, json=body)
    assert created.status_code == 201, created.text
    entity_id = str(created.json()["id"])
    assert entity_id in network(chain)
    return entity_id


def patch(chain: Chain, path: str, body: dict[str, Any]) -> dict[str, Any]:
    patched = chain.client.patch(path, json=body, headers=MERGE)
    assert patched.status_code == 200, patched.text
    return dict(patched.json())


@pytest.mark.parametrize("chain_settings", [FAST])
@pytest.mark.parametrize("state", ["inactive", "terminated"])
def test_a_service_patched_out_of_service_leaves_the_network(chain: Chain, state: str) -> None:
    service_id = activated(chain, f"{TMF640}/service", SERVICE)
    other_id = activated(chain, f"{TMF640}/service", SERVICE)
    patch(chain, f"{TMF640}/service/{service_id}", {"description": "renamed"})
    assert service_id in network(chain)  # a change of anything else does not touch it
    assert patch(chain, f"{TMF640}/service/{service_id}", {"state": state})["state"] == state
    assert set(network(chain)) == {other_id}


@pytest.mark.parametrize("chain_settings", [FAST])
def test_a_resource_locked_by_a_patch_leaves_the_network(chain: Chain) -> None:
    resource_id = activated(chain, f"{TMF702}/resource", RESOURCE)
    body = {"administrativeState": "locked", "operationalState": "disable"}
    patch(chain, f"{TMF702}/resource/{resource_id}", body)
    assert resource_id not in network(chain)


@pytest.mark.parametrize("chain_settings", [FAST])
def test_new_characteristics_re_configure_the_network(chain: Chain) -> None:
    service_id = activated(chain, f"{TMF640}/service", SERVICE)
    assert network(chain)[service_id] == {"profile": "gold"}
    gold_to_platinum = {"serviceCharacteristic": [{"name": "profile", "value": "platinum"}]}
    patch(chain, f"{TMF640}/service/{service_id}", gold_to_platinum)
    assert network(chain)[service_id] == {"profile": "platinum"}


@pytest.mark.parametrize("chain_settings", [SLOW])
def test_an_entity_still_activating_cannot_be_taken_out_of_service(chain: Chain) -> None:
    created = chain.client.post(f"{TMF640}/service", json=SERVICE)
    assert created.status_code == 202, created.text
    service_id = created.json()["sourceHref"].rsplit("/", 1)[1]
    path = f"{TMF640}/service/{service_id}"
    refused = chain.client.patch(path, json={"state": "terminated"}, headers=MERGE)
    assert refused.status_code == 409, refused.text
    assert chain.get(path)["state"] == "reserved"
    chain.until(lambda: chain.get(path)["state"] == "active")
    assert patch(chain, path, {"state": "terminated"})["state"] == "terminated"
    assert service_id not in network(chain)
