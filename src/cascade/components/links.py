"""The `remote_order` rows (a mirror's link to the next component) and `component_link` rows.

A row is written in the transaction that creates the mirror, so a mirror is never without
its intent to be forwarded. Rows are claimed under a lease, like the HTTP activations', so
several processes of one component can share the work (SKIP LOCKED on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from cascade.storage import work
from cascade.storage.leases import claim_due, next_free
from cascade.storage.tables import component_link, remote_order
from cascade.tmf.instants import now_instant

POST, LINKED, ENDED, FAILED = "post", "linked", "ended", "failed"
ACTIVE = (POST, LINKED)


@dataclass(frozen=True)
class Claimed:
    kind: str
    local_id: str
    collection_url: str
    phase: str
    remote_id: str | None
    remote_href: str | None
    remote_version: int
    nudges: int
    tries: int
    state_asked: str | None = None  # the state the parent last asked the remote order to take
    state_asks: int = 0
    state_sent: int = 0

    @property
    def asking(self) -> str | None:
        """The state still to be carried to the remote order (a hold or a release), if any."""
        return self.state_asked if self.state_asks > self.state_sent else None

    @classmethod
    def of(cls, row: Any) -> Claimed:
        return cls(
            row.kind,
            row.local_id,
            row.collection_url,
            row.phase,
            row.remote_id,
            row.remote_href,
            row.remote_version,
            row.nudges,
            row.tries,
            row.state_asked,
            row.state_asks,
            row.state_sent,
        )


def record_intent(connection: Connection, kind: str, local_id: str, collection_url: str) -> None:
    """The mirror `local_id` is to be created at `collection_url` (POSTed as soon as can be)."""
    connection.execute(
        insert(remote_order).values(
            kind=kind,
            local_id=local_id,
            collection_url=collection_url,
            phase=POST,
            remote_version=0,
            nudges=0,
            tries=0,
            due_ms=work.now_ms(),
            updated_at=now_instant(),
        )
    )


def ask_state(connection: Connection, kind: str, local_id: str, state: str) -> bool:
    """The parent asks the remote order to take `state` (held, pending, inProgress).

    The last ask wins: it replaces one not carried out yet. The row is looked at at once (and
    at once again after an exchange in flight, which `nudges` tells `settle`). False when the
    mirror is no longer followed (it ended, or was refused).
    """
    table = remote_order
    changed = connection.execute(
        update(table)
        .where(table.c.kind == kind, table.c.local_id == local_id, table.c.phase.in_(ACTIVE))
        .values(
            state_asked=state,
            state_asks=table.c.state_asks + 1,
            nudges=table.c.nudges + 1,
            due_ms=work.now_ms(),
        )
    ).rowcount
    return bool(changed)


def ask_done(row: Claimed, *, refused: bool = False) -> dict[str, Any]:
    """The values that mark `row`'s ask carried out (for `settle`). A refused ask leaves
    nothing held from here, so that a release is not sent after it (unless asked again)."""
    values: dict[str, Any] = {"state_sent": row.state_asks}
    if refused:
        table = remote_order
        still = table.c.state_asks == row.state_asks  # no newer ask came during the exchange
        values["state_asked"] = case((still, None), else_=table.c.state_asked)
    return values


def link_of(connection: Connection, kind: str, local_id: str) -> Claimed | None:
    row = connection.execute(
        select(remote_order).where(remote_order.c.kind == kind, remote_order.c.local_id == local_id)
    ).first()
    return None if row is None else Claimed.of(row)


def claim(connection: Connection, owner: str, lease_ms: int, limit: int) -> list[Claimed]:
    table = remote_order
    keys = (table.c.kind, table.c.local_id)
    rows = claim_due(connection, table, keys, table.c.phase.in_(ACTIVE), owner, lease_ms, limit)
    return [Claimed.of(row) for row in rows]


def settle(connection: Connection, row: Claimed, owner: str, delay_ms: int, **values: Any) -> bool:
    """Record an exchange's outcome if `owner` still holds the row; due again in `delay_ms`.

    An event that arrived during the exchange (`nudges` moved on) makes it due at once.
    """
    table = remote_order
    now = work.now_ms()
    due = case((table.c.nudges != row.nudges, now), else_=now + delay_ms)
    changed = connection.execute(
        update(table)
        .where(
            table.c.kind == row.kind,
            table.c.local_id == row.local_id,
            table.c.lease_owner == owner,
        )
        .values(
            due_ms=due, lease_owner=None, lease_until_ms=None, updated_at=now_instant(), **values
        )
    ).rowcount
    return bool(changed)


def nudge(connection: Connection, kinds: Iterable[str], remote_id: str) -> int:
    """An event about `remote_id`: look at it again now. Returns how many rows it names.

    An event can overtake the answer to the POST that created its order (the next component
    works on it at once): when no followed row has that id, the rows still being POSTed are
    marked, and the first GET after their answer is made at once (see `settle`).
    """
    table = remote_order
    kinds = tuple(kinds)
    named = connection.execute(
        update(table)
        .where(table.c.remote_id == remote_id, table.c.kind.in_(kinds), table.c.phase == LINKED)
        .values(nudges=table.c.nudges + 1, due_ms=work.now_ms())
    ).rowcount
    if not named:
        connection.execute(
            update(table)
            .where(table.c.kind.in_(kinds), table.c.phase == POST)
            .values(nudges=table.c.nudges + 1)
        )
    return int(named)


def nudge_all(connection: Connection) -> None:
    """Look at every followed mirror now (events before a subscription were never sent)."""
    connection.execute(
        update(remote_order)
        .where(remote_order.c.phase == LINKED)
        .values(nudges=remote_order.c.nudges + 1, due_ms=work.now_ms())
    )


def next_due(connection: Connection) -> int | None:
    """When the next row can be claimed (a leased row: when its lease runs out)."""
    return next_free(connection, remote_order, remote_order.c.phase.in_(ACTIVE))


def counts(connection: Connection) -> dict[str, int]:
    """How many rows are in each phase (for `cascade` status and tests)."""
    rows = connection.execute(
        select(remote_order.c.phase, func.count()).group_by(remote_order.c.phase)
    ).all()
    return {str(phase): int(count) for phase, count in rows}


def asks_pending(connection: Connection) -> int:
    """How many holds or releases are asked and not carried out yet."""
    table = remote_order
    query = select(func.count()).where(table.c.state_asks > table.c.state_sent)
    return int(connection.execute(query).scalar() or 0)


@dataclass(frozen=True)
class Waiting:
    """A mirror not followed as it should be: still being POSTed, retried, or failed."""

    kind: str
    local_id: str
    phase: str
    tries: int
    remote_href: str | None
    reason: str | None
    updated_at: str


def waiting(connection: Connection, limit: int = 50) -> list[Waiting]:
    """Mirrors being retried (a try failed), not yet created remotely, or failed; oldest first."""
    table = remote_order
    rows = connection.execute(
        select(table)
        .where(or_(table.c.phase.in_((POST, FAILED)), table.c.tries > 0))
        .order_by(table.c.updated_at)
        .limit(limit)
    ).all()
    return [
        Waiting(r.kind, r.local_id, r.phase, r.tries, r.remote_href, r.reason, r.updated_at)
        for r in rows
    ]


# --- hub subscriptions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    hub_url: str
    callback: str
    secret: str
    subscription_id: str | None


def links(connection: Connection) -> list[Link]:
    rows = connection.execute(select(component_link)).all()
    return [Link(r.hub_url, r.callback, r.secret, r.subscription_id) for r in rows]


def adopt_link(connection: Connection, candidate: Link) -> Link:
    """The link to `candidate.hub_url` with this callback, `candidate` stored if there is
    none: two processes of a component that both found no link end on the first one's secret
    (so on one Idempotency-Key and one subscription). The insert does nothing where a row is:
    on PostgreSQL the second of two at once waits for the first's transaction, then reads its
    row. A link stored with another callback is replaced by `candidate`."""
    table = component_link
    insert_ = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    values = {"callback": candidate.callback, "secret": candidate.secret}
    inserted = insert_(table).values(hub_url=candidate.hub_url, **values, subscription_id=None)
    connection.execute(inserted.on_conflict_do_nothing())
    row = connection.execute(select(table).where(table.c.hub_url == candidate.hub_url)).one()
    if row.callback == candidate.callback:
        return Link(row.hub_url, row.callback, row.secret, row.subscription_id)
    save_link(connection, candidate)
    return candidate


def save_link(connection: Connection, link: Link) -> None:
    """Insert or update the subscription to `link.hub_url`."""
    table = component_link
    found = connection.execute(select(table.c.hub_url).where(table.c.hub_url == link.hub_url))
    values = {
        "callback": link.callback,
        "secret": link.secret,
        "subscription_id": link.subscription_id,
    }
    if found.first() is None:
        connection.execute(insert(table).values(hub_url=link.hub_url, **values))
    else:
        connection.execute(
            update(table).where(and_(table.c.hub_url == link.hub_url)).values(**values)
        )
