"""A service `modify` item that keeps what it changes from in a step that changes nothing
else is saved by that step (`Change.kept`, service/controller.py).

An item keeps its `cascadeBefore` in its first step (ADR 0032), which also moves it to
`inProgress` and so is saved anyway. An item already `inProgress` with nothing kept (an
order in flight when Cascade was upgraded to ADR 0032, made here by taking the kept before
off a running item) keeps it in a step whose only change it is while its re-configuration is
pending. Were that step not saved, the before would be taken and dropped again at every look
until the network answered, and a cancel in between would find nothing to put back: the
order `cancelled`, its re-configuration to the new speed left with the network.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.changes import KEPT_BEFORE
from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, SO, Chain, broadband
from tests.fulfilment.test_cancel_changes import cancelled, installed, stored
from tests.fulfilment.test_lifecycle import (
    change,
    fulfilled,
    network,
    product_of,
    service_tree,
    values,
)
from tests.gate import Gate

QOS = "rfs-qos-profile"  # the RFS a speed change re-configures


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def qos_item(chain: Chain, order_id: str, qos_id: str) -> tuple[str, str]:
    """The service order and item of the product order that re-configure the QoS."""
    for placed in chain.get(SO, **{"externalReference.id": order_id}):
        for item in placed["serviceOrderItem"]:
            if item["service"].get("id") == qos_id:
                return str(placed["id"]), str(item["id"])
    raise AssertionError(f"no service order item of {order_id} changes {qos_id}")


def kept(chain: Chain, order_id: str, item_id: str) -> dict[str, Any] | None:
    """What the stored item keeps (no client is shown it, ADR 0033)."""
    document = stored(chain, kinds.SERVICE_ORDER, order_id)
    item = next(i for i in document["serviceOrderItem"] if i["id"] == item_id)
    assert item["state"] == "inProgress", item
    found: dict[str, Any] | None = item.get(KEPT_BEFORE)
    return found


def forget_kept(chain: Chain, order_id: str, item_id: str) -> None:
    """The running item as an order from before ADR 0032 has it: nothing kept."""
    orders = chain.cascade.repositories[kinds.SERVICE_ORDER]

    def write(connection: Connection) -> None:
        loaded = orders.load(connection, order_id)
        assert loaded is not None
        for item in loaded.document["serviceOrderItem"]:
            if item["id"] == item_id:
                del item[KEPT_BEFORE]
        orders.save(connection, loaded)

    chain.cascade.database.write_sync(write)


def test_a_running_modify_saves_what_it_kept_while_the_network_has_not_answered(
    chain: Chain, gate: Gate
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    configured = network(chain)
    before = installed(chain, product_id)
    qos_id = service_tree(chain, product_id)[QOS]["id"]

    gate.close(QOS)  # the re-configuration stays pending until the test is done
    upgrade = chain.place(change("1", "modify", product_id, downloadSpeed=1000))
    chain.until(lambda: len(network(chain)) > len(configured))  # asked of the network
    order_id, item_id = qos_item(chain, upgrade["id"], qos_id)
    assert kept(chain, order_id, item_id) is not None  # kept in its first step

    forget_kept(chain, order_id, item_id)
    chain.until(lambda: kept(chain, order_id, item_id) is not None)  # kept again, and saved
    again = kept(chain, order_id, item_id)
    assert again is not None
    assert values(again["activation"], "serviceCharacteristic")["downloadSpeed"] == 500

    cancelled(chain, upgrade["id"])
    assert installed(chain, product_id) == before
    assert network(chain) == configured  # the pending re-configuration was taken back
    gate.open()
    assert network(chain) == configured
