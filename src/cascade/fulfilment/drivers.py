"""Activation drivers: how a service or resource is configured on the network.

A driver is called inside the controller's transaction with an `ActivationRequest` whose
`activation_id` is the idempotency key: calling it again for the same activation never
configures twice; it reports the activation's status (done, pending until a time, failed).
Drivers that talk to something outside the database record their intent here and do the
remote work elsewhere; the simulated network below does all of it in the database.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import msgspec
from sqlalchemy import Connection, delete, update

from cascade.storage.tables import simulated_network
from cascade.storage.work import now_ms
from cascade.tmf.instants import now_instant

Target = Literal["service", "resource"]


@dataclass(frozen=True)
class ActivationRequest:
    activation_id: str
    target: Target
    specification_id: str | None
    characteristics: Mapping[str, Any]
    action: str = "add"
    document: Mapping[str, Any] | None = None  # the activation entity (what remote drivers send)
    changes: str | None = None  # a re-configuration (`modify`): the activation it changes


@dataclass(frozen=True)
class DriverStatus:
    state: Literal["done", "pending", "failed"]
    reason: str | None = None
    ready_ms: int | None = None
    retriable: bool = True


class ActivationDriver(Protocol):
    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        """Start or follow the activation (idempotent per `request.activation_id`)."""
        ...


@runtime_checkable
class Deactivating(Protocol):
    """A driver that can also undo activations (and re-configure them: `action="modify"`)."""

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        """Undo the activation on the network (idempotent per activation id)."""
        ...


@dataclass(frozen=True)
class SimulatedBehaviour:
    latency_ms: int = 0
    failure_rate: float = 0.0


@dataclass
class SimulatedNetwork:
    """An in-process network: per-specification latency and failure rate, state in the database.

    Each attempt draws a failure with the specification's rate; a successful attempt is applied
    once and recorded (`simulated_network`), after the specification's latency.
    """

    default: SimulatedBehaviour = field(default_factory=SimulatedBehaviour)
    by_specification: Mapping[str, SimulatedBehaviour] = field(default_factory=dict)
    chance: random.Random = field(default_factory=random.Random)

    def behaviour(self, specification_id: str | None) -> SimulatedBehaviour:
        return self.by_specification.get(specification_id or "", self.default)

    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        now = now_ms()
        row = _sql(connection, _FIND, (request.activation_id,)).first()
        if row is not None:
            if row.outcome == "applied":
                return DriverStatus("done")
            if row.ready_ms <= now:
                connection.execute(
                    update(simulated_network)
                    .where(simulated_network.c.activation == request.activation_id)
                    .values(outcome="applied", applied_at=now_instant())
                )
                return DriverStatus("done")
            return DriverStatus("pending", ready_ms=row.ready_ms)
        behaviour = self.behaviour(request.specification_id)
        if self.chance.random() < behaviour.failure_rate:
            return DriverStatus(
                "failed", reason=f"simulated network refused {request.specification_id}"
            )
        ready = now + behaviour.latency_ms
        outcome = "applied" if behaviour.latency_ms <= 0 else "pending"
        self._record(connection, request, outcome, ready)
        return (
            DriverStatus("done")
            if outcome == "applied"
            else DriverStatus("pending", ready_ms=ready)
        )

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        """Remove the activation from the network, applied or still pending (at once)."""
        connection.execute(
            delete(simulated_network).where(simulated_network.c.activation == activation_id)
        )
        return DriverStatus("done")

    def reconfigure(
        self, connection: Connection, activation_id: str, characteristics: Mapping[str, Any]
    ) -> bool:
        """Set an activation's configured values (at once); False when it is not on the network."""
        changed = connection.execute(
            update(simulated_network)
            .where(simulated_network.c.activation == activation_id)
            .values(request=msgspec.json.encode(dict(characteristics)).decode())
        )
        return changed.rowcount == 1

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


# Driver SQL written once: the simulator runs in every activation step.
_FIND = "SELECT outcome, ready_ms FROM simulated_network WHERE activation = ?"
_RECORD = (
    "INSERT INTO simulated_network "
    "(activation, target, specification, outcome, ready_ms, request, applied_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (activation) DO NOTHING"
)


def _sql(connection: Connection, sql: str, parameters: tuple[Any, ...]) -> Any:
    if connection.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    return connection.exec_driver_sql(sql, parameters)


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
