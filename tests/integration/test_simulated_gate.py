"""The simulated network's gate holds an activation until the test opens it, whatever the
latency, per specification or for all; without a gate nothing is held."""

from __future__ import annotations

from typing import Any

from cascade.bootstrap import Cascade
from cascade.fulfilment.activation.gate import gate_at
from cascade.fulfilment.activation.port import ActivationRequest, DriverStatus
from cascade.fulfilment.activation.simulated import SimulatedBehaviour, SimulatedNetwork
from tests.gate import Gate


def activate(cascade: Cascade, network: SimulatedNetwork, key: str, spec: str) -> DriverStatus:
    request = ActivationRequest(key, "resource", spec, {"vlan": 7})
    status: DriverStatus = cascade.database.write_sync(
        lambda connection: network.activate(connection, request)
    )
    return status


def network(gate: Gate, **latencies: int) -> SimulatedNetwork:
    return SimulatedNetwork(
        by_specification={spec: SimulatedBehaviour(ms) for spec, ms in latencies.items()},
        gate=gate_at(gate.setting),
    )


def test_a_closed_gate_holds_its_specification_and_an_open_one_lets_it_through(
    cascade: Cascade, gate: Gate
) -> None:
    simulated = network(gate)
    gate.close("rs-vlan")
    held = activate(cascade, simulated, "a1", "rs-vlan")
    assert held.state == "pending" and held.ready_ms is not None
    assert activate(cascade, simulated, "a1", "rs-vlan").state == "pending"  # asked again
    assert activate(cascade, simulated, "a2", "rs-gpon-port").state == "done"  # not held
    gate.open("rs-vlan")
    assert activate(cascade, simulated, "a1", "rs-vlan").state == "done"


def test_the_gate_of_every_specification_holds_past_the_latency(
    cascade: Cascade, gate: Gate
) -> None:
    simulated = network(gate)  # no latency: done at once, but for the gate
    with gate.closed():
        first = activate(cascade, simulated, "a1", "rs-vlan")
        assert first.state == "pending"
        rows: Any = cascade.database.read_sync(
            lambda c: c.exec_driver_sql("SELECT outcome FROM simulated_network").scalars().all()
        )
        assert rows == ["pending"]
        for _ in range(3):  # past its (zero) latency: held all the same
            assert activate(cascade, simulated, "a1", "rs-vlan").state == "pending"
        assert activate(cascade, simulated, "a2", "rs-gpon-port").state == "pending"
    assert activate(cascade, simulated, "a1", "rs-vlan").state == "done"
    assert activate(cascade, simulated, "a2", "rs-gpon-port").state == "done"


def test_no_gate_holds_nothing(cascade: Cascade) -> None:
    simulated = SimulatedNetwork()
    assert activate(cascade, simulated, "a1", "rs-vlan").state == "done"
