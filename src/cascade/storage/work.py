"""The controllers' work queue: which entity needs a look, when, and who is looking.

Level-triggered control needs only "look at entity X of kind K (again) at time T". Scheduling
is an upsert that keeps the earliest due time and bumps `seq`; a worker claims due rows under a
lease; finishing deletes the row only if no schedule arrived meanwhile (same `seq`), so a
wake-up that races with a running step is never lost. Every function runs inside the caller's
transaction, so a step's effects and its rescheduling commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, func, select, update

from cascade.storage import leases, raw
from cascade.storage.tables import work_item


@dataclass(frozen=True)
class Claim:
    """A work item taken under lease by one worker."""

    kind: str
    entity_id: str
    seq: int
    attempts: int


now_ms = leases.now_ms  # the clock of due times and leases (epoch milliseconds)
_KEY = (work_item.c.kind, work_item.c.entity_id)
# lease_owner: a claimed row that still names one was taken over (counted in leases.claim_due).
_CLAIMED = (*_KEY, work_item.c.seq, work_item.c.attempts, work_item.c.lease_owner)


_SCHEDULE = (
    "INSERT INTO work_item (kind, entity_id, due_ms, seq, attempts) VALUES (?, ?, ?, 1, 0) "
    "ON CONFLICT (kind, entity_id) DO UPDATE SET due_ms = {earliest}, seq = work_item.seq + 1"
)
_EARLIEST = {
    "sqlite": "min(work_item.due_ms, excluded.due_ms)",
    "postgresql": "LEAST(work_item.due_ms, excluded.due_ms)",
}
# PostgreSQL, in a process that does not run the controllers: the same upsert, and a notice to
# the processes that do (background/notices.py), delivered when the transaction commits.
WORK_CHANNEL = "cascade_work"
_NOTIFY = "WITH scheduled AS ({schedule} RETURNING 1) SELECT pg_notify('" + WORK_CHANNEL + "', '')"
NOTIFY_OPTION = "notify_work"  # the writer connection's execution option that asks for it
_FORGET = "DELETE FROM work_item WHERE kind = ? AND entity_id = ? AND seq = ?"
_RELEASE = (
    "UPDATE work_item SET lease_owner = NULL, lease_until_ms = NULL, attempts = 0 "
    "WHERE kind = ? AND entity_id = ?"
)


def _run(connection: Connection, sql: str, parameters: tuple[object, ...]) -> int:
    """Execute hot driver SQL written with `?` markers; returns the row count."""
    if connection.dialect.name == "postgresql":
        return int(raw.execute(connection, sql.replace("?", "%s"), parameters).rowcount)
    return int(connection.exec_driver_sql(sql, parameters).rowcount)


def schedule(connection: Connection, kind: str, entity_id: str, due_ms: int | None = None) -> None:
    """Ask for `entity_id` to be looked at no later than `due_ms` (default: now)."""
    due = now_ms() if due_ms is None else due_ms
    earliest = _EARLIEST.get(connection.dialect.name, _EARLIEST["postgresql"])
    statement = _SCHEDULE.format(earliest=earliest)
    if connection.get_execution_options().get(NOTIFY_OPTION):
        statement = _NOTIFY.format(schedule=statement)
    _run(connection, statement, (kind, entity_id, due))


def claim(
    connection: Connection, owner: str, *, lease_ms: int, limit: int, now: int | None = None
) -> list[Claim]:
    """Take up to `limit` due, unleased items for `owner` until now + `lease_ms`, oldest due
    first (SKIP LOCKED on PostgreSQL)."""
    rows = leases.claim_due(
        connection, work_item, _KEY, None, owner, lease_ms, limit, columns=_CLAIMED, now=now
    )
    return [Claim(row.kind, row.entity_id, row.seq, row.attempts) for row in rows]


def finish(connection: Connection, item: Claim, next_due_ms: int | None) -> None:
    """Release a claim after a successful step; keep the item if it must be looked at again."""
    if next_due_ms is None:
        if _run(connection, _FORGET, (item.kind, item.entity_id, item.seq)):
            return
        _run(connection, _RELEASE, (item.kind, item.entity_id))
        return
    key = and_(work_item.c.kind == item.kind, work_item.c.entity_id == item.entity_id)
    due = case(
        (work_item.c.seq == item.seq, next_due_ms),
        else_=func.min(work_item.c.due_ms, next_due_ms)
        if connection.dialect.name == "sqlite"
        else func.least(work_item.c.due_ms, next_due_ms),
    )
    connection.execute(
        update(work_item)
        .where(key)
        .values(due_ms=due, lease_owner=None, lease_until_ms=None, attempts=0)
    )


def fail(connection: Connection, item: Claim, error: str, retry_at_ms: int) -> None:
    """Record a failed step; the item comes back at `retry_at_ms` with one more attempt."""
    connection.execute(
        update(work_item)
        .where(work_item.c.kind == item.kind, work_item.c.entity_id == item.entity_id)
        .values(
            due_ms=retry_at_ms,
            lease_owner=None,
            lease_until_ms=None,
            attempts=work_item.c.attempts + 1,
            last_error=error[:2000],
        )
    )


def next_due(connection: Connection) -> int | None:
    """When the earliest item falls due (leased items count from their lease's end)."""
    return leases.next_free(connection, work_item)


def pending(connection: Connection) -> int:
    """How many entities are waiting for a controller (for health checks and tests)."""
    return int(connection.execute(select(func.count()).select_from(work_item)).scalar_one())
