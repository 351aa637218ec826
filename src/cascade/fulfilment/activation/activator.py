"""Activations as TMF640 services and TMF702 resources, each followed by a Monitor.

An activation entity records one configuration of the network: created `reserved` with a
monitor `InProgress`, it ends `active`/`available` (monitor `Completed`) or, after the driver's
failures exhausted the attempts, `inactive`/`alarm` (monitor `InError`). Every failed attempt
leaves a note, so operators see the retries. The driver is called with the entity id as the
idempotency key, so a step that runs twice never activates twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import msgspec
from sqlalchemy import Connection

from cascade.fulfilment.activation.port import (
    ActivationDriver,
    ActivationRequest,
    DriverStatus,
    Target,
)
from cascade.fulfilment.layers.ids import child_id
from cascade.repositories import Loaded, Repository
from cascade.tmf.errors import error_body
from cascade.tmf.instants import now_instant

AUTHOR = "Cascade activation"
FAILED_ATTEMPT = "activation attempt failed: "


@dataclass(frozen=True)
class TargetStates:
    """Where each kind of activation entity keeps its state, and the values it takes."""

    attribute: str
    started: dict[str, Any]
    done: dict[str, Any]
    failed: dict[str, Any]
    start_date: str


SERVICE_STATES = TargetStates(
    attribute="state",
    started={"state": "reserved", "hasStarted": False},
    done={"state": "active", "hasStarted": True, "isServiceEnabled": True},
    failed={"state": "inactive", "hasStarted": False, "isServiceEnabled": False},
    start_date="startDate",
)
RESOURCE_STATES = TargetStates(
    attribute="resourceStatus",
    started={"resourceStatus": "reserved", "administrativeState": "locked"},
    done={
        "resourceStatus": "available",
        "administrativeState": "unlocked",
        "operationalState": "enable",
        "usageState": "active",
    },
    failed={
        "resourceStatus": "alarm",
        "administrativeState": "locked",
        "operationalState": "disable",
    },
    start_date="startOperatingDate",
)


@dataclass(frozen=True)
class ActivationOutcome:
    state: Literal["done", "pending", "failed"]
    document: dict[str, Any]
    reason: str | None = None
    again_at_ms: int | None = None


class Activator:
    """Creates and advances activation entities of one target (service or resource)."""

    def __init__(
        self,
        target: Target,
        entities: Repository,
        monitors: Repository,
        driver: ActivationDriver,
        *,
        max_attempts: int,
        backoff_ms: int,
    ) -> None:
        self.target = target
        self.entities = entities
        self.monitors = monitors
        self.driver = driver
        self.states = SERVICE_STATES if target == "service" else RESOURCE_STATES
        self.max_attempts = max_attempts
        self.backoff_ms = backoff_ms

    def advance(
        self,
        connection: Connection,
        activation_id: str,
        body: Mapping[str, Any],
        specification_id: str | None,
        characteristics: Mapping[str, Any],
        now_ms: int,
    ) -> ActivationOutcome:
        """Create the activation if it is new, then take its next step with the driver."""
        request = ActivationRequest(activation_id, self.target, specification_id, characteristics)
        loaded = self.entities.load(connection, activation_id)
        if loaded is None:
            return self._start(connection, request, body, now_ms)
        settled = self.settled(loaded.document)
        if settled is not None:
            return settled
        request = replace(request, document=loaded.document)
        return self._follow(connection, loaded, self.driver.activate(connection, request), now_ms)

    def _start(
        self,
        connection: Connection,
        request: ActivationRequest,
        body: Mapping[str, Any],
        now_ms: int,
    ) -> ActivationOutcome:
        """A new activation: ask the driver first, so one done at once is written once, done."""
        activation_id = request.activation_id
        started = {**body, **self.states.started}
        status = self.driver.activate(connection, replace(request, document=started))
        monitor: dict[str, Any] = {"sourceHref": self.entities.href_of(activation_id)}
        if status.state == "done":
            done = {**body, **self.states.done, self.states.start_date: now_instant()}
            document = self.entities.insert(connection, done, id_=activation_id).document
            assert document is not None  # an insert returns what it stored
            monitor["state"] = "Completed"
            monitor["response"] = _monitor_response(document, self.states, None)
            self.monitors.insert(connection, monitor, id_=self.monitor_id(activation_id))
            return ActivationOutcome("done", document)
        self.entities.insert(connection, started, id_=activation_id)
        monitor["state"] = "InProgress"
        self.monitors.insert(connection, monitor, id_=self.monitor_id(activation_id))
        loaded = self.entities.load(connection, activation_id)
        assert loaded is not None
        return self._follow(connection, loaded, status, now_ms)

    def _follow(
        self, connection: Connection, loaded: Loaded, status: DriverStatus, now_ms: int
    ) -> ActivationOutcome:
        """Record what the driver said about an activation that exists."""
        if status.state == "pending":
            return ActivationOutcome("pending", loaded.document, again_at_ms=status.ready_ms)
        if status.state == "done":
            return self._finish(connection, loaded, self.states.done, "Completed", None)
        reason = status.reason or "the activation failed"
        attempts = self.failed_attempts(loaded.document) + 1
        if status.retriable and attempts < self.max_attempts:
            _note(loaded.document, f"{FAILED_ATTEMPT}{reason} (attempt {attempts})")
            self.entities.save(connection, loaded)
            retry_at = now_ms + self.backoff_ms * 2 ** (attempts - 1)
            return ActivationOutcome("pending", loaded.document, reason, retry_at)
        message = f"activation failed after {attempts} attempt(s): {reason}"
        return self._finish(connection, loaded, self.states.failed, "InError", message)

    def settled(self, document: Mapping[str, Any]) -> ActivationOutcome | None:
        """The final outcome of an activation that has ended, else None."""
        state = document.get(self.states.attribute)
        if state == self.states.done[self.states.attribute]:
            return ActivationOutcome("done", dict(document))
        if state == self.states.failed[self.states.attribute]:
            notes = document.get("note") or []
            reason = notes[-1].get("text") if notes else "the activation failed"
            return ActivationOutcome("failed", dict(document), reason)
        return None

    @staticmethod
    def failed_attempts(document: Mapping[str, Any]) -> int:
        return sum(
            1
            for note in document.get("note") or ()
            if str(note.get("text", "")).startswith(FAILED_ATTEMPT)
        )

    @staticmethod
    def monitor_id(activation_id: str) -> str:
        return child_id(activation_id, "monitor")

    def _finish(
        self,
        connection: Connection,
        loaded: Loaded,
        values: dict[str, Any],
        monitor_state: str,
        reason: str | None,
    ) -> ActivationOutcome:
        document = loaded.document
        document.update(values)
        if reason is None:
            document[self.states.start_date] = now_instant()
        else:
            _note(document, reason)
        self.entities.save(connection, loaded)
        monitor = self.monitors.load(connection, self.monitor_id(loaded.stored.id))
        if monitor is not None:
            monitor.document["state"] = monitor_state
            monitor.document["response"] = _monitor_response(document, self.states, reason)
            self.monitors.save(connection, monitor)
        if reason is None:
            return ActivationOutcome("done", document)
        return ActivationOutcome("failed", document, reason)


def _monitor_response(
    document: Mapping[str, Any], states: TargetStates, reason: str | None
) -> dict[str, Any]:
    """The TMF `Response` a monitor ends with: a reference to the entity with its state (201),
    or an `Error` saying why (500). `body` is a string and `header` has an item, as the specs'
    schema requires; the whole entity is at `sourceHref`.
    """
    status = 201 if reason is None else 500
    body = (
        {key: document.get(key) for key in ("id", "href", "@type", states.attribute)}
        if reason is None
        else error_body(500, "activationFailed", reason)
    )
    return {
        "statusCode": str(status),
        "header": [{"name": "Content-Type", "value": "application/json"}],
        "body": msgspec.json.encode(body).decode(),
    }


def _note(document: dict[str, Any], text: str) -> None:
    notes = document.setdefault("note", [])
    notes.append({"author": AUTHOR, "date": now_instant(), "text": text})
