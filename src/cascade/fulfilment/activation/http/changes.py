"""The HTTP driver's changes to activations it made: deactivation and re-configuration.

Both are intent in `remote_activation`, like activations, recorded inside the step's
transaction; the sender PATCHes the remote entity (the href the remote end gave for the
activation, `remote_href`) and records the outcome. A row's `operation` says what it does and
`parent` names the activation it changes.

A deactivation never races the activation it undoes (the activation's row is locked first):
- an activation POST not sent yet is cancelled instead (nothing to undo remotely, unless an
  earlier attempt left an entity there: that one is PATCHed);
- one in flight (sent, or being followed) is waited for: the deactivation is `waiting` until
  the sender records the activation's outcome, then PATCHes the entity it made;
- a done activation is PATCHed at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

import msgspec
from sqlalchemy import Connection, insert, select, update

from cascade.fulfilment.activation.port import Target
from cascade.storage import work
from cascade.storage.tables import remote_activation
from cascade.storage.work import now_ms
from cascade.tmf.instants import now_instant

# What a PATCH sets to take an entity out of service (TMF640 ServiceStateType; TMF702 states).
DEACTIVATED: dict[Target, dict[str, str]] = {
    "service": {"state": "inactive"},
    "resource": {
        "administrativeState": "locked",
        "operationalState": "disable",
        "resourceStatus": "standby",
        "usageState": "idle",
    },
}
NOTHING_SENT = "cancelled before it was sent: nothing to undo remotely"
IN_FLIGHT = ("post", "follow")


def deactivation_id(activation_id: str) -> str:
    return f"{activation_id}/deactivate"


def find(connection: Connection, row_id: str, *, lock: bool = False) -> Any:
    query = select(remote_activation).where(remote_activation.c.activation == row_id)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return connection.execute(query).first()


def record_deactivation(connection: Connection, parent: Any, waker: Mapping[str, Any]) -> str:
    """Record the deactivation of `parent`'s activation; its phase (done, waiting or patch)."""
    row_id = deactivation_id(parent.activation)
    if _cancel_unsent(connection, parent.activation):
        if parent.attempt == 1:
            _insert(connection, row_id, parent, "deactivate", "done", "", {}, waker, NOTHING_SENT)
            return "done"
        return _patch_or_done(connection, row_id, parent, waker)  # what earlier attempts made
    if parent.phase in IN_FLIGHT:
        body = DEACTIVATED[parent.target]
        _insert(connection, row_id, parent, "deactivate", "waiting", "", body, waker)
        return "waiting"
    if parent.phase in ("reported", "failed"):  # no attempt running: none may start again
        _set(connection, parent.activation, phase="cancelled", reason="deactivated")
    return _patch_or_done(connection, row_id, parent, waker)


def record_modify(
    connection: Connection,
    row_id: str,
    parent: Any,
    characteristics: Mapping[str, Any],
    waker: Mapping[str, Any],
) -> str | None:
    """Record a re-configuration PATCH of `parent`'s entity; why it cannot be, else None."""
    if parent is None or parent.phase != "done" or not parent.remote_href:
        return "the activation to re-configure has not completed on the remote end"
    prefix = parent.target
    values = [{"name": name, "value": value} for name, value in characteristics.items()]
    body = {f"{prefix}Characteristic": values}
    url = urljoin(parent.url, parent.remote_href)
    _insert(connection, row_id, parent, "modify", "patch", url, body, waker)
    return None


def release_waiting(connection: Connection, parent_id: str) -> bool:
    """After an activation's outcome: start the deactivation waiting for it; True if one did."""
    waiting = find(connection, deactivation_id(parent_id))
    if waiting is None or waiting.phase != "waiting":
        return False
    parent = find(connection, parent_id)
    if parent.phase != "done":  # it failed: nothing the remote end keeps (and none again)
        _set(connection, parent_id, phase="cancelled", reason="deactivated")
    phase = _patch_or_done(connection, waiting.activation, parent, None)
    if phase == "done" and waiting.wake_kind and waiting.wake_id:
        work.schedule(connection, waiting.wake_kind, waiting.wake_id)
    return True


def _patch_or_done(
    connection: Connection, row_id: str, parent: Any, waker: Mapping[str, Any] | None
) -> str:
    """PATCH the entity the activation made, or end at once when it made none we know of."""
    phase, url = "done", ""
    reason: str | None = "the activation made no remote entity: nothing to undo"
    if parent.remote_href:
        phase, url, reason = "patch", urljoin(parent.url, parent.remote_href), None
    if waker is None:  # the waiting row exists: move it on
        _set(connection, row_id, phase=phase, url=url, reason=reason, due_ms=now_ms(), tries=0)
    else:
        body = DEACTIVATED[parent.target]
        _insert(connection, row_id, parent, "deactivate", phase, url, body, waker, reason)
    return phase


def _cancel_unsent(connection: Connection, activation_id: str) -> bool:
    """Cancel an activation whose POST no sender has taken yet (atomic); True if it was."""
    table = remote_activation
    cancelled = connection.execute(
        update(table)
        .where(
            table.c.activation == activation_id,
            table.c.phase == "post",
            table.c.tries == 0,
            table.c.lease_owner.is_(None),
        )
        .values(phase="cancelled", reason=NOTHING_SENT, updated_at=now_instant())
    )
    return cancelled.rowcount == 1


def _insert(
    connection: Connection,
    row_id: str,
    parent: Any,
    operation: str,
    phase: str,
    url: str,
    body: Mapping[str, Any],
    waker: Mapping[str, Any],
    reason: str | None = None,
) -> None:
    connection.execute(
        insert(remote_activation).values(
            activation=row_id,
            operation=operation,
            parent=parent.activation,
            target=parent.target,
            url=url,
            body=msgspec.json.encode(body).decode(),
            idempotency_key=row_id,
            attempt=1,
            phase=phase,
            tries=0,
            due_ms=now_ms(),
            retriable=True,
            key_spent=False,
            reason=reason,
            updated_at=now_instant(),
            **waker,
        )
    )


def _set(connection: Connection, row_id: str, **values: Any) -> None:
    connection.execute(
        update(remote_activation)
        .where(remote_activation.c.activation == row_id)
        .values(updated_at=now_instant(), **values)
    )
