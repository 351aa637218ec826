"""Activation drivers come from one registry, by the `activation_driver` setting, and declare
what they can do: a driver without a capability gets the orders that need it refused up front,
with the reason, and nothing is changed on the network."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from sqlalchemy import Connection

from cascade.bootstrap import drivers
from cascade.bootstrap.drivers import DriverParts, driver_parts
from cascade.fulfilment.activation.port import (
    ActivationRequest,
    Capability,
    DriverStatus,
    Reconfiguration,
)
from cascade.fulfilment.activation.simulated import SimulatedNetwork
from cascade.settings import Settings
from cascade.storage.database import Database
from tests.fulfilment.conftest import FAST, Chain, broadband, running_chain


@dataclass
class ActivateOnly:
    """A network system that can switch things on, and nothing else."""

    capabilities: frozenset[Capability] = frozenset()
    activated: list[str] = field(default_factory=list)

    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        self.activated.append(request.activation_id)
        return DriverStatus("done")

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        raise AssertionError("a driver without DEACTIVATE is never asked to deactivate")

    def reconfigure(self, connection: Connection, change: Reconfiguration) -> DriverStatus:
        raise AssertionError("a driver without RECONFIGURE is never asked to re-configure")

    def entity_changed(
        self, connection: Connection, activation_id: str, characteristics: Mapping[str, Any]
    ) -> None:
        """Nothing kept here."""


@pytest.fixture
def limited(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Chain]:
    """A Cascade whose `activation_driver` is a driver added with one registry entry."""
    driver = ActivateOnly()

    def make(settings: Settings, database: Database, wake: Callable[[], None]) -> DriverParts:
        return DriverParts(driver)

    monkeypatch.setitem(drivers.DRIVERS, "activate-only", make)
    with running_chain(database_url, replace(FAST, activation_driver="activate-only")) as chain:
        assert chain.cascade.chain.driver is driver
        yield chain


def test_the_settings_choose_a_driver_and_an_unknown_one_names_the_choices() -> None:
    database: Any = None
    assert isinstance(driver_parts(Settings(), database, lambda: None).driver, SimulatedNetwork)
    with pytest.raises(ValueError, match="'simulated' or 'http', not 'snmp'"):
        driver_parts(Settings(activation_driver="snmp"), database, lambda: None)


def test_a_driver_without_capabilities_activates_and_refuses_changes_up_front(
    limited: Chain,
) -> None:
    added = limited.wait_for(limited.place(broadband())["id"])
    assert added["state"] == "completed"
    product_id = added["productOrderItem"][0]["product"]["id"]
    driver = limited.cascade.chain.driver
    assert isinstance(driver, ActivateOnly) and driver.activated  # it did the activations

    upgrade = {
        "id": "1",
        "action": "modify",
        "product": {
            "id": product_id,
            "productCharacteristic": [{"name": "downloadSpeed", "value": 1000}],
        },
    }
    refused = limited.wait_for(limited.place(upgrade)["id"])
    assert refused["state"] == "failed"
    notes = " ".join(note["text"] for note in refused["note"])
    assert "the ActivateOnly activation driver cannot reconfigure" in notes

    cease = {"id": "1", "action": "delete", "product": {"id": product_id}}
    refused = limited.wait_for(limited.place(cease)["id"])
    assert refused["state"] == "failed"
    notes = " ".join(note["text"] for note in refused["note"])
    assert "the ActivateOnly activation driver cannot deactivate" in notes
    product = limited.get(f"/tmf-api/productInventory/v4/product/{product_id}")
    assert product["status"] == "active"  # nothing was changed
