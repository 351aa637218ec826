"""The HTTP activation driver: activations performed by an external TMF640/TMF702 endpoint.

Drivers run inside the controller's database transaction, so this one never calls out from
there: `activate` records the intent in `remote_activation` and answers "pending"; the sender
(`sender.HttpSender`, an asyncio task next to the controllers) POSTs it, follows the 201
or the 202 and its monitor, records the outcome and schedules the step that asked (the work
item running when the intent was recorded), which then reads the outcome here.

Each attempt is one remote activation. The first is sent with the activation id as its
`Idempotency-Key`, so a POST repeated after a timeout or a crash is answered from the first
(Cascade honours the key); an attempt after one the remote end refused for good (monitor
`InError`, entity failed) gets a key of its own, else the remote end would replay the refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, insert, update

from cascade.fulfilment.activation.http.changes import (
    deactivation_id,
    find,
    record_deactivation,
    record_modify,
)
from cascade.fulfilment.activation.http.sender import ACTIVE_PHASES
from cascade.fulfilment.activation.port import (
    ActivationRequest,
    Capability,
    DriverStatus,
    Reconfiguration,
    Target,
)
from cascade.fulfilment.runtime import current_work
from cascade.storage.tables import remote_activation
from cascade.storage.work import now_ms
from cascade.tmf.instants import now_instant

RECHECK_MS = 5_000  # when a step looks again if no outcome woke it first (a safety net)

# What of the local activation entity the remote endpoint is sent: its _Create attributes,
# without the local states or references to the local orders. TMF640 requires a `state`: the
# one asked for, `active` (TMF702 sets the resource's status itself).
DESIRED: dict[Target, dict[str, str]] = {"service": {"state": "active"}, "resource": {}}
SENT: dict[Target, tuple[str, ...]] = {
    "service": (
        "name",
        "description",
        "category",
        "serviceType",
        "serviceSpecification",
        "serviceCharacteristic",
        "relatedParty",
        "place",
        "feature",
        "supportingResource",
        "supportingService",
        "@type",
    ),
    "resource": (
        "name",
        "description",
        "category",
        "resourceVersion",
        "resourceSpecification",
        "resourceCharacteristic",
        "relatedParty",
        "place",
        "activationFeature",
        "resourceRelationship",
        "@type",
    ),
}


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the TMF640 and TMF702 APIs (e.g. `http://host/tmf-api/...AndConfiguration/v4`)."""

    service: str
    resource: str

    def collection(self, target: Target) -> str:
        base = self.service if target == "service" else self.resource
        return f"{base.rstrip('/')}/{target}"


class HttpDriver:
    """Records activations for the sender and reports what it found (see the module doc)."""

    capabilities = frozenset(Capability)

    def __init__(self, endpoints: Endpoints, *, recheck_ms: int = RECHECK_MS) -> None:
        self.endpoints = endpoints
        self.recheck_ms = recheck_ms
        # Called (from the writer thread) when there is something new to send: the sender's wake.
        self.notify: Callable[[], None] = lambda: None

    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        """Record the activation, or report on it."""
        row = find(connection, request.activation_id)
        if row is None:
            now = now_ms()
            self._record_intent(connection, request, now)
            return DriverStatus("pending", ready_ms=now + self.recheck_ms)
        return self._report(connection, row)

    def reconfigure(self, connection: Connection, change: Reconfiguration) -> DriverStatus:
        """Record the re-configuration (a PATCH of the activation's entity), or report on it."""
        row = find(connection, change.key)
        if row is None and change.reverts is not None:
            reverted = find(connection, change.reverts)
            if reverted is None:
                return DriverStatus("done")  # never recorded: nothing was sent to take back
            if reverted.phase in ACTIVE_PHASES:  # sent after the revert, it would undo it
                return DriverStatus("pending", ready_ms=now_ms() + self.recheck_ms)
        if row is None:
            return self._record_modify(connection, change)
        return self._report(connection, row)

    def entity_changed(
        self, connection: Connection, activation_id: str, characteristics: Mapping[str, Any]
    ) -> None:
        """The remote end is changed by orders only (a modify re-configures it), not by a
        client's PATCH of the entity here."""

    def _report(self, connection: Connection, row: Any) -> DriverStatus:
        """What the row of an activation or re-configuration says now (another attempt is
        started after a failure was reported)."""
        now = now_ms()
        if row.phase == "cancelled":
            return DriverStatus("failed", reason=row.reason or "cancelled", retriable=False)
        if row.phase == "done":
            return DriverStatus("done")
        if row.phase == "failed":  # reported once; the next call starts another attempt
            self._update(connection, row.activation, phase="reported")
            return DriverStatus("failed", reason=row.reason, retriable=bool(row.retriable))
        if row.phase == "reported":
            attempt = row.attempt + 1
            key = f"{row.activation}/{attempt}" if row.key_spent else row.idempotency_key
            self._update(
                connection,
                row.activation,
                phase="post" if row.operation == "activate" else "patch",
                attempt=attempt,
                idempotency_key=key,
                key_spent=False,
                tries=0,
                due_ms=now,
                follow_href=None,
                follows=None,
                reason=None,
                **_waker(),
            )
            self.notify()
            return DriverStatus("pending", ready_ms=now + self.recheck_ms)
        waker = _waker()
        if waker and (row.wake_kind, row.wake_id) != (waker["wake_kind"], waker["wake_id"]):
            self._update(connection, row.activation, **waker)
        return DriverStatus("pending", ready_ms=now + self.recheck_ms)

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        """Record the activation's undo (see changes.py), or report on it."""
        row = find(connection, deactivation_id(activation_id))
        pending = DriverStatus("pending", ready_ms=now_ms() + self.recheck_ms)
        if row is None:
            parent = find(connection, activation_id, lock=True)
            if parent is None:
                return DriverStatus("done")  # never recorded: nothing was sent
            phase = record_deactivation(connection, parent, _waker())
            if phase == "patch":
                self.notify()
            return DriverStatus("done") if phase == "done" else pending
        if row.phase == "done":
            return DriverStatus("done")
        if row.phase == "failed":
            return DriverStatus("failed", reason=row.reason, retriable=False)
        waker = _waker()
        if waker and (row.wake_kind, row.wake_id) != (waker["wake_kind"], waker["wake_id"]):
            self._update(connection, row.activation, **waker)
        return pending

    def _record_modify(self, connection: Connection, change: Reconfiguration) -> DriverStatus:
        parent = find(connection, change.activation_id)
        characteristics = change.characteristics
        why = record_modify(connection, change.key, parent, characteristics, _waker())
        if why is not None:
            return DriverStatus("failed", reason=why, retriable=False)
        self.notify()
        return DriverStatus("pending", ready_ms=now_ms() + self.recheck_ms)

    def _record_intent(self, connection: Connection, request: ActivationRequest, now: int) -> None:
        body = remote_body(request)
        connection.execute(
            insert(remote_activation).values(
                activation=request.activation_id,
                target=request.target,
                url=self.endpoints.collection(request.target),
                body=msgspec.json.encode(body).decode(),
                idempotency_key=request.activation_id,
                attempt=1,
                phase="post",
                tries=0,
                due_ms=now,
                retriable=True,
                key_spent=False,
                updated_at=now_instant(),
                **_waker(),
            )
        )
        self.notify()

    @staticmethod
    def _update(connection: Connection, activation_id: str, **values: Any) -> None:
        connection.execute(
            update(remote_activation)
            .where(remote_activation.c.activation == activation_id)
            .values(updated_at=now_instant(), **values)
        )


def remote_body(request: ActivationRequest) -> dict[str, Any]:
    """The create body sent for an activation: its entity's _Create attributes."""
    document: Mapping[str, Any] | None = request.document
    if document is not None:
        sent = {key: document[key] for key in SENT[request.target] if key in document}
        return {**sent, **DESIRED[request.target]}
    prefix = request.target
    body: dict[str, Any] = {
        **DESIRED[request.target],
        "name": request.specification_id or prefix,
        f"{prefix}Characteristic": [
            {"name": name, "value": value} for name, value in request.characteristics.items()
        ],
    }
    if request.specification_id:
        body[f"{prefix}Specification"] = {"id": request.specification_id}
    return body


def _waker() -> dict[str, Any]:
    work = current_work()
    return {} if work is None else {"wake_kind": work[0], "wake_id": work[1]}
