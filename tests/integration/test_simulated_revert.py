"""The simulated network takes back a re-configuration that another one reverts, applied or
still held, at once and once: the network is left as it was before it (ADR 0032)."""

from __future__ import annotations

import json
from typing import Any

from cascade.bootstrap import Cascade
from cascade.fulfilment.activation.gate import gate_at
from cascade.fulfilment.activation.port import ActivationRequest, DriverStatus, Reconfiguration
from cascade.fulfilment.activation.simulated import SimulatedNetwork
from tests.gate import Gate

SPEC = "rfs-qos-profile"


def configured(cascade: Cascade) -> dict[str, Any]:
    rows: Any = cascade.database.read_sync(
        lambda c: c.exec_driver_sql("SELECT activation, request FROM simulated_network").all()
    )
    return {row[0]: json.loads(row[1]) for row in rows}


def reconfigure(
    cascade: Cascade, network: SimulatedNetwork, key: str, speed: int, reverts: str | None = None
) -> DriverStatus:
    change = Reconfiguration(key, "a1", "service", SPEC, {"downloadSpeed": speed}, reverts)
    status: DriverStatus = cascade.database.write_sync(
        lambda connection: network.reconfigure(connection, change)
    )
    return status


def test_a_revert_takes_back_an_applied_reconfiguration_once(cascade: Cascade) -> None:
    network = SimulatedNetwork()
    request = ActivationRequest("a1", "service", SPEC, {"downloadSpeed": 500})
    cascade.database.write_sync(lambda connection: network.activate(connection, request))
    before = configured(cascade)
    assert reconfigure(cascade, network, "m1", 1000).state == "done"
    assert configured(cascade) == {**before, "m1": {"downloadSpeed": 1000}}
    for _ in range(2):  # asked again (a step run twice): still done, nothing else changes
        assert reconfigure(cascade, network, "r1", 500, reverts="m1").state == "done"
        assert configured(cascade) == before


def test_a_revert_withdraws_a_reconfiguration_the_gate_holds(cascade: Cascade, gate: Gate) -> None:
    network = SimulatedNetwork(gate=gate_at(gate.setting))
    gate.close(SPEC)
    assert reconfigure(cascade, network, "m1", 1000).state == "pending"
    assert reconfigure(cascade, network, "r1", 500, reverts="m1").state == "done"
    assert configured(cascade) == {}
    gate.open(SPEC)
    assert configured(cascade) == {}
