"""The controllers' work queue: which entity needs a look, when, and who is looking.

Level-triggered control needs only "look at entity X of kind K (again) at time T". Scheduling
is an upsert that keeps the earliest due time and bumps `seq`; a worker claims due rows under a
lease; finishing deletes the row only if no schedule arrived meanwhile (same `seq`), so a
wake-up that races with a running step is never lost. Every function runs inside the caller's
transaction, so a step's effects and its rescheduling commit together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from cascade.storage import leases, raw
from cascade.storage.tables import work_item
from cascade.telemetry import metrics


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


# PostgreSQL: the claim's SELECT … FOR UPDATE SKIP LOCKED and its lease UPDATE in one
# statement, one round trip, and the same text whatever the batch (prepared once per connection).
_CLAIM = (
    "WITH c AS (SELECT kind, entity_id, seq, attempts, lease_owner, due_ms FROM work_item"
    " WHERE due_ms <= %s AND (lease_until_ms IS NULL OR lease_until_ms < %s)"
    " ORDER BY due_ms LIMIT %s FOR UPDATE SKIP LOCKED)"
    " UPDATE work_item AS w SET lease_owner = %s, lease_until_ms = %s FROM c"
    " WHERE w.kind = c.kind AND w.entity_id = c.entity_id"
    " RETURNING c.kind, c.entity_id, c.seq, c.attempts, c.lease_owner, c.due_ms"
)
# The step asks to be looked at again at a time: unless a schedule arrived meanwhile (another
# seq), whose earlier due time is kept.
_AGAIN = (
    "UPDATE work_item SET due_ms = CASE WHEN seq = ? THEN ? ELSE {earliest} END,"
    " lease_owner = NULL, lease_until_ms = NULL, attempts = 0 WHERE kind = ? AND entity_id = ?"
)
_EARLIER = {"sqlite": "min(due_ms, ?)", "postgresql": "LEAST(due_ms, ?)"}
_FAIL = (
    "UPDATE work_item SET due_ms = ?, lease_owner = NULL, lease_until_ms = NULL,"
    " attempts = attempts + 1, last_error = ? WHERE kind = ? AND entity_id = ?"
)


def _run(connection: Connection, sql: str, parameters: tuple[object, ...]) -> int:
    """Execute hot driver SQL written with `?` markers; returns the row count."""
    return int(raw.run(connection, sql, parameters).rowcount)


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
    if connection.dialect.name == "postgresql":
        return _claim_postgresql(connection, owner, lease_ms, limit, now)
    rows = leases.claim_due(
        connection, work_item, _KEY, None, owner, lease_ms, limit, columns=_CLAIMED, now=now
    )
    return [Claim(row.kind, row.entity_id, row.seq, row.attempts) for row in rows]


def _claim_postgresql(
    connection: Connection, owner: str, lease_ms: int, limit: int, now: int | None
) -> list[Claim]:
    moment = now_ms() if now is None else now
    parameters = (moment, moment, limit, owner, moment + lease_ms)
    rows = sorted(raw.execute(connection, _CLAIM, parameters).fetchall(), key=lambda r: r[5])
    # A free row still naming an owner was leased by a process that let its lease run out.
    metrics.leases_taken_over(work_item.name, sum(1 for row in rows if row[4] is not None))
    return [Claim(row[0], row[1], row[2], row[3]) for row in rows]


def finish(connection: Connection, item: Claim, next_due_ms: int | None) -> None:
    """Release a claim after a successful step; keep the item if it must be looked at again."""
    if next_due_ms is None:
        if _run(connection, _FORGET, (item.kind, item.entity_id, item.seq)):
            return
        _run(connection, _RELEASE, (item.kind, item.entity_id))
        return
    earlier = _EARLIER.get(connection.dialect.name, _EARLIER["postgresql"])
    parameters = (item.seq, next_due_ms, next_due_ms, item.kind, item.entity_id)
    _run(connection, _AGAIN.format(earliest=earlier), parameters)


def fail(connection: Connection, item: Claim, error: str, retry_at_ms: int) -> None:
    """Record a failed step; the item comes back at `retry_at_ms` with one more attempt."""
    _run(connection, _FAIL, (retry_at_ms, error[:2000], item.kind, item.entity_id))


def next_due(connection: Connection) -> int | None:
    """When the earliest item falls due (leased items count from their lease's end)."""
    return leases.next_free(connection, work_item)


def pending(connection: Connection) -> int:
    """How many entities are waiting for a controller (for health checks and tests)."""
    return int(connection.execute(select(func.count()).select_from(work_item)).scalar_one())
