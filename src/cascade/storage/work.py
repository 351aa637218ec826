"""The controllers' work queue: which entity needs a look, when, and who is looking.

Level-triggered control needs only "look at entity X of kind K (again) at time T". Scheduling
is an upsert that keeps the earliest due time and bumps `seq`; a worker claims due rows under a
lease; finishing deletes the row only if no schedule arrived meanwhile (same `seq`), so a
wake-up that races with a running step is never lost. Every function runs inside the caller's
transaction, so a step's effects and its rescheduling commit together.

Finishing and failing are fenced (ADR 0030): they change the row only while its lease still
names the claim's owner. A claim whose lease another holder took over raises `LeaseLost` from
`finish` (the step's transaction must roll back: the other holder's run is the one that
counts); `fail` reports it. `renew` extends the leases of the steps still under way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from cascade.storage import leases, raw
from cascade.storage.tables import work_item
from cascade.telemetry import metrics


@dataclass(frozen=True)
class Claim:
    """A work item taken under lease by one worker (`owner`: the lease's holder)."""

    kind: str
    entity_id: str
    seq: int
    attempts: int
    owner: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.entity_id)


class LeaseLost(Exception):  # noqa: N818 - an outcome the runtime handles, like RetryLater
    """The claim's lease is no longer its owner's: another holder took the item over."""

    def __init__(self, item: Claim) -> None:
        super().__init__(f"the lease of {item.kind} {item.entity_id} is no longer {item.owner}'s")
        self.item = item


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
# Fenced: each changes the row only while the claim's owner still holds its lease.
_FORGET = "DELETE FROM work_item WHERE kind = ? AND entity_id = ? AND seq = ? AND lease_owner = ?"
_RELEASE = (
    "UPDATE work_item SET lease_owner = NULL, lease_until_ms = NULL, attempts = 0 "
    "WHERE kind = ? AND entity_id = ? AND lease_owner = ?"
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
    " lease_owner = NULL, lease_until_ms = NULL, attempts = 0"
    " WHERE kind = ? AND entity_id = ? AND lease_owner = ?"
)
_EARLIER = {"sqlite": "min(due_ms, ?)", "postgresql": "LEAST(due_ms, ?)"}
_FAIL = (
    "UPDATE work_item SET due_ms = ?, lease_owner = NULL, lease_until_ms = NULL,"
    " attempts = attempts + 1, last_error = ? WHERE kind = ? AND entity_id = ? AND lease_owner = ?"
)
_GIVE_BACK = (
    "UPDATE work_item SET lease_owner = NULL, lease_until_ms = NULL"
    " WHERE kind = ? AND entity_id = ? AND lease_owner = ?"
)
# Renewal: the leases of the steps a process still runs, extended in one statement. Only rows
# still its own; on PostgreSQL a row another transaction is changing (a step's finish, a
# schedule) is skipped rather than waited for, so a renewal never joins a lock cycle: it is
# renewed next time, if still under way.
_RENEW_POSTGRESQL = (
    "UPDATE work_item AS w SET lease_until_ms = %s FROM (SELECT kind, entity_id FROM work_item"
    " WHERE lease_owner = %s"
    " AND (kind, entity_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))"
    " FOR UPDATE SKIP LOCKED) AS c WHERE w.kind = c.kind AND w.entity_id = c.entity_id"
)
_RENEW_SQLITE = "UPDATE work_item SET lease_until_ms = ? WHERE lease_owner = ? AND ({named})"
_NAMED_SQLITE = "(kind = ? AND entity_id = ?)"  # one per row: SQLite searches its key for each


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
    return [Claim(row.kind, row.entity_id, row.seq, row.attempts, owner) for row in rows]


def _claim_postgresql(
    connection: Connection, owner: str, lease_ms: int, limit: int, now: int | None
) -> list[Claim]:
    moment = now_ms() if now is None else now
    parameters = (moment, moment, limit, owner, moment + lease_ms)
    rows = sorted(raw.execute(connection, _CLAIM, parameters).fetchall(), key=lambda r: r[5])
    # A free row still naming an owner was leased by a process that let its lease run out.
    metrics.leases_taken_over(work_item.name, sum(1 for row in rows if row[4] is not None))
    return [Claim(row[0], row[1], row[2], row[3], owner) for row in rows]


def finish(connection: Connection, item: Claim, next_due_ms: int | None) -> None:
    """Release a claim after a successful step; keep the item if it must be looked at again.

    Raises `LeaseLost` when the lease is no longer the claim's: the caller's transaction must
    then roll back (the runtime's does, the step's effects with it)."""
    key = (item.kind, item.entity_id)
    if next_due_ms is None:
        if _run(connection, _FORGET, (*key, item.seq, item.owner)):
            return
        changed = _run(connection, _RELEASE, (*key, item.owner))
    else:
        earlier = _EARLIER.get(connection.dialect.name, _EARLIER["postgresql"])
        parameters = (item.seq, next_due_ms, next_due_ms, *key, item.owner)
        changed = _run(connection, _AGAIN.format(earliest=earlier), parameters)
    if not changed:
        raise LeaseLost(item)


def fail(connection: Connection, item: Claim, error: str, retry_at_ms: int) -> bool:
    """Record a failed step; the item comes back at `retry_at_ms` with one more attempt.

    False (and nothing changed) when the lease is no longer the claim's."""
    parameters = (retry_at_ms, error[:2000], item.kind, item.entity_id, item.owner)
    return _run(connection, _FAIL, parameters) > 0


def give_back(connection: Connection, item: Claim) -> None:
    """Free a claim's lease without running its step (it stays due as it was)."""
    _run(connection, _GIVE_BACK, (item.kind, item.entity_id, item.owner))


def renew(
    connection: Connection,
    owner: str,
    keys: Collection[tuple[str, str]],
    *,
    lease_ms: int,
    now: int | None = None,
) -> int:
    """Extend to now + `lease_ms` the leases `owner` still holds on the items `keys` (the
    steps it runs); returns how many were extended."""
    if not keys:
        return 0
    until = (now_ms() if now is None else now) + lease_ms
    if connection.dialect.name == "postgresql":
        kinds = [kind for kind, _ in keys]
        ids = [entity_id for _, entity_id in keys]
        return int(raw.execute(connection, _RENEW_POSTGRESQL, (until, owner, kinds, ids)).rowcount)
    named = " OR ".join([_NAMED_SQLITE] * len(keys))
    parameters = (until, owner, *(part for key in keys for part in key))
    return _run(connection, _RENEW_SQLITE.format(named=named), parameters)


def next_due(connection: Connection) -> int | None:
    """When the earliest item falls due (leased items count from their lease's end)."""
    return leases.next_free(connection, work_item)


def pending(connection: Connection) -> int:
    """How many entities are waiting for a controller (for health checks and tests)."""
    return int(connection.execute(select(func.count()).select_from(work_item)).scalar_one())
