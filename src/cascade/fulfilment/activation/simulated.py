"""The simulated network: activations configured in the database, with per-specification
latency and failure rate (docs/activation.md). The default driver, and the demo's."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.fulfilment.activation.gate import RECHECK_MS, Gate
from cascade.fulfilment.activation.port import (
    ActivationRequest,
    Capability,
    DriverStatus,
    Reconfiguration,
)
from cascade.storage import raw
from cascade.storage.work import now_ms
from cascade.tmf.instants import now_instant


@dataclass(frozen=True)
class SimulatedBehaviour:
    latency_ms: int = 0
    failure_rate: float = 0.0


@dataclass
class SimulatedNetwork:
    """An in-process network: per-specification latency and failure rate, state in the database.

    Each attempt draws a failure with the specification's rate; a successful attempt is applied
    once and recorded (`simulated_network`), after the specification's latency, and not while
    the test's gate holds the specification (gate.py).
    """

    default: SimulatedBehaviour = field(default_factory=SimulatedBehaviour)
    by_specification: Mapping[str, SimulatedBehaviour] = field(default_factory=dict)
    chance: random.Random = field(default_factory=random.Random)
    capabilities: frozenset[Capability] = frozenset(Capability)
    gate: Gate = field(default_factory=Gate)

    def behaviour(self, specification_id: str | None) -> SimulatedBehaviour:
        return self.by_specification.get(specification_id or "", self.default)

    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        return self._apply(connection, request)

    def reconfigure(self, connection: Connection, change: Reconfiguration) -> DriverStatus:
        """A re-configuration is a request of its own (its key), applied like an activation
        after its specification's latency; the activation's first request stays as it was.

        One that reverts another takes that one back at once (applied or still pending, like
        a deactivation): the network is left as it was before it."""
        if change.reverts is not None:
            _sql(connection, _REMOVE, (change.reverts,))
            return DriverStatus("done")
        request = ActivationRequest(
            change.key, change.target, change.specification_id, change.characteristics
        )
        return self._apply(connection, request)

    def _apply(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        now = now_ms()
        held = self.gate.closed(request.specification_id)
        row = _sql(connection, _FIND, (request.activation_id,)).fetchone()
        if row is not None:
            outcome, ready_ms = row
            if outcome == "applied":
                return DriverStatus("done")
            if ready_ms <= now and not held:
                _sql(connection, _APPLIED, (now_instant(), request.activation_id))
                return DriverStatus("done")
            return _pending(ready_ms, now)
        behaviour = self.behaviour(request.specification_id)
        if self.chance.random() < behaviour.failure_rate:
            return DriverStatus(
                "failed", reason=f"simulated network refused {request.specification_id}"
            )
        ready = now + behaviour.latency_ms
        outcome = "applied" if behaviour.latency_ms <= 0 and not held else "pending"
        self._record(connection, request, outcome, ready)
        return DriverStatus("done") if outcome == "applied" else _pending(ready, now)

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        """Remove the activation from the network, applied or still pending (at once)."""
        _sql(connection, _REMOVE, (activation_id,))
        return DriverStatus("done")

    def entity_changed(
        self, connection: Connection, activation_id: str, characteristics: Mapping[str, Any]
    ) -> None:
        """The activation's configured values become the entity's (at once), if it is on."""
        request = msgspec.json.encode(dict(characteristics)).decode()
        _sql(connection, _RECONFIGURED, (request, activation_id))

    @staticmethod
    def _record(
        connection: Connection, request: ActivationRequest, outcome: str, ready: int
    ) -> None:
        characteristics = msgspec.json.encode(dict(request.characteristics)).decode()
        row = (
            request.activation_id,
            request.target,
            request.specification_id,
            outcome,
            ready,
            characteristics,
            now_instant(),
        )
        _sql(connection, _RECORD, row)


def _pending(ready_ms: int, now: int) -> DriverStatus:
    """Pending until `ready_ms`; one held by the gate past it is looked at again soon."""
    return DriverStatus("pending", ready_ms=ready_ms if ready_ms > now else now + RECHECK_MS)


# Driver SQL written once: the simulator runs in every activation step.
_FIND = "SELECT outcome, ready_ms FROM simulated_network WHERE activation = ?"
_RECORD = (
    "INSERT INTO simulated_network "
    "(activation, target, specification, outcome, ready_ms, request, applied_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activation) DO NOTHING"
)
_APPLIED = "UPDATE simulated_network SET outcome = 'applied', applied_at = ? WHERE activation = ?"
_REMOVE = "DELETE FROM simulated_network WHERE activation = ?"
_RECONFIGURED = "UPDATE simulated_network SET request = ? WHERE activation = ?"


def _sql(connection: Connection, sql: str, parameters: tuple[Any, ...]) -> Any:
    return raw.run(connection, sql, parameters)


def parse_behaviours(text: str | None) -> dict[str, SimulatedBehaviour]:
    """`{"rs-vlan": {"latency_ms": 50, "failure_rate": 0.1}, ...}` from a JSON setting."""
    if not text:
        return {}
    raw = msgspec.json.decode(text.encode())
    return {
        str(spec): SimulatedBehaviour(
            int(value.get("latency_ms", 0)), float(value.get("failure_rate", 0.0))
        )
        for spec, value in raw.items()
    }
