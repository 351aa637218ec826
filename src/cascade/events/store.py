"""The event tables: outbox rows to fan out, deliveries to send, parked ones, secrets.

Every function runs in the caller's transaction. Deliveries of one subscription and entity (a
line) leave in the order they were made (`pk`, which follows the events' order since one
process fans out at a time): a delivery is claimable only when no earlier one of its line is
waiting (backing off), held by a sender, or parked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, exists, insert, select, true, update

from cascade.storage import leases
from cascade.storage.tables import event_delivery, event_outbox, subscription_secret

PENDING = "pending"
PARKED = "parked"
CLAIM_LOCK = 0x43415344  # advisory lock key of claims


def try_transaction_lock(connection: Connection, key: int) -> bool:
    """On PostgreSQL, take an advisory lock until the transaction ends, if free now.

    Never waits: the writer's transaction carries other jobs that must not stall behind
    another process. SQLite needs none (its writers take turns on the database).
    """
    if connection.dialect.name != "postgresql":
        return True
    return bool(connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({key})").scalar())


now_ms = leases.now_ms


@dataclass(frozen=True)
class OutboxEvent:
    seq: int
    api: str
    kind: str
    entity_id: str
    event_type: str
    envelope: str


@dataclass(frozen=True)
class NewDelivery:
    hub_kind: str
    subscription: str
    entity: str
    event_seq: int
    event_id: str
    event_type: str
    callback: str
    body: str


@dataclass(frozen=True)
class Delivery:
    """A claimed delivery, with what signing it needs."""

    pk: int
    hub_kind: str
    subscription: str
    entity: str
    event_seq: int
    event_id: str
    event_type: str
    callback: str
    body: str
    attempts: int
    first_failure_ms: int | None
    secret: str | None


_D, _S = event_delivery.c, subscription_secret.c
_CLAIMED = (  # a Delivery's fields, in order (the secret by a look-up of its own), then the owner
    _D.pk,
    _D.hub_kind,
    _D.subscription,
    _D.entity,
    _D.event_seq,
    _D.event_id,
    _D.event_type,
    _D.callback,
    _D.body,
    _D.attempts,
    _D.first_failure_ms,
    select(_S.secret)
    .where(_S.hub_kind == _D.hub_kind, _S.subscription == _D.subscription)
    .scalar_subquery()
    .label("secret"),
    _D.lease_owner,  # not a Delivery's: still set on a free row, a takeover (leases.claim_due)
)


# --- the outbox --------------------------------------------------------------------------------


def take_outbox(connection: Connection, limit: int) -> list[OutboxEvent]:
    """The oldest outbox rows (the caller fans them out and then forgets them)."""
    o = event_outbox.c
    rows = connection.execute(
        select(o.seq, o.api, o.kind, o.entity_id, o.event_type, o.envelope)
        .order_by(o.seq)
        .limit(limit)
    ).all()
    return [OutboxEvent(*row) for row in rows]


def forget_outbox(connection: Connection, up_to_seq: int, seqs: Sequence[int]) -> None:
    if seqs:
        connection.execute(
            delete(event_outbox).where(
                event_outbox.c.seq <= up_to_seq, event_outbox.c.seq.in_(list(seqs))
            )
        )


def add_deliveries(connection: Connection, deliveries: Iterable[NewDelivery], due: int) -> int:
    """Queue new deliveries; one whose line (subscription and entity) has parked deliveries is
    parked behind them, so it can neither overtake them nor wait where nobody sees it."""
    found = list(deliveries)
    if not found:
        return 0
    behind = _parked_lines(connection, {delivery.subscription for delivery in found})
    rows = [
        {
            **delivery.__dict__,
            "status": PARKED if (delivery.subscription, delivery.entity) in behind else PENDING,
            "attempts": 0,
            "due_ms": due,
        }
        for delivery in found
    ]
    connection.execute(insert(event_delivery), rows)
    return len(rows)


def _parked_lines(connection: Connection, subscriptions: set[str]) -> set[tuple[str, str]]:
    d = event_delivery.c
    rows = connection.execute(
        select(d.subscription, d.entity)
        .where(d.status == PARKED, d.subscription.in_(sorted(subscriptions)))
        .distinct()
    ).all()
    return {(row.subscription, row.entity) for row in rows}


@dataclass(frozen=True)
class Work:
    """What there is to do now: outbox rows to fan out, deliveries to send."""

    outbox: bool
    due: bool


def work_now(connection: Connection, moment: int) -> Work:
    """A cheap read before taking the write lock."""
    d = event_delivery.c
    outbox = connection.execute(select(event_outbox.c.seq).limit(1)).first()
    due = connection.execute(
        select(d.pk).where(d.status == PENDING, leases.free(event_delivery, moment)).limit(1)
    ).first()
    return Work(outbox is not None, due is not None)


def next_due(connection: Connection) -> int | None:
    """When the next pending delivery can be claimed, its line permitting (a leased one: when
    its lease ends)."""
    return leases.next_free(connection, event_delivery, event_delivery.c.status == PENDING)


# --- sending -----------------------------------------------------------------------------------


def claim(
    connection: Connection,
    owner: str,
    *,
    lease_ms: int,
    limit: int,
    exclude: Sequence[str] = (),
) -> list[Delivery]:
    """Take up to `limit` sendable deliveries, oldest first, under a lease for `owner`.

    Claims are one at a time (an advisory lock on PostgreSQL) and take no row locks: skipping
    a row another transaction holds could let a later delivery of its line overtake it.
    """
    if not try_transaction_lock(connection, CLAIM_LOCK):
        return []  # another process is claiming; one at a time keeps the lines in order
    moment = now_ms()
    d = event_delivery.c
    earlier = event_delivery.alias("earlier")
    e = earlier.c
    blocked = exists().where(
        e.subscription == d.subscription,
        e.entity == d.entity,
        e.pk < d.pk,
        (e.status == PARKED) | (e.due_ms > moment) | (e.lease_until_ms >= moment),
    )
    sendable = and_(
        d.status == PENDING,
        ~blocked,
        d.subscription.not_in(list(exclude)) if exclude else true(),
    )
    rows = leases.claim_due(
        connection,
        event_delivery,
        (d.pk,),
        sendable,
        owner,
        lease_ms,
        limit,
        columns=_CLAIMED,
        order_by=(d.pk,),
        now=moment,
        skip_locked=False,
    )
    return [Delivery(*row[:-1]) for row in rows]  # type: ignore[call-arg]


def delivered(connection: Connection, pks: Sequence[int]) -> None:
    if pks:
        connection.execute(delete(event_delivery).where(event_delivery.c.pk.in_(list(pks))))


def released(connection: Connection, pks: Sequence[int]) -> None:
    """Give back claimed deliveries that were not tried (an earlier one of theirs failed)."""
    if pks:
        connection.execute(
            update(event_delivery)
            .where(event_delivery.c.pk.in_(list(pks)))
            .values(lease_owner=None, lease_until_ms=None)
        )


def failed(
    connection: Connection, delivery: Delivery, error: str, retry_at: int, park_after_ms: int
) -> bool:
    """Record a failed attempt; park the subscription's deliveries if it has been down too long.

    Returns True when the subscription was parked.
    """
    moment = now_ms()
    first = delivery.first_failure_ms if delivery.first_failure_ms is not None else moment
    d = event_delivery.c
    park = moment - first >= park_after_ms
    connection.execute(
        update(event_delivery)
        .where(d.pk == delivery.pk)
        .values(
            attempts=d.attempts + 1,
            first_failure_ms=first,
            due_ms=retry_at,
            lease_owner=None,
            lease_until_ms=None,
            last_error=error[:2000],
            status=PARKED if park else PENDING,
        )
    )
    if park:
        connection.execute(
            update(event_delivery)
            .where(
                d.hub_kind == delivery.hub_kind,
                d.subscription == delivery.subscription,
                d.status == PENDING,
            )
            .values(status=PARKED, lease_owner=None, lease_until_ms=None)
        )
    return park


def drop_subscription(connection: Connection, hub_kind: str, subscription: str) -> None:
    """A deleted subscription: its undelivered events and its secret go with it."""
    for table in (event_delivery, subscription_secret):
        connection.execute(
            delete(table).where(table.c.hub_kind == hub_kind, table.c.subscription == subscription)
        )


# --- parked deliveries -------------------------------------------------------------------------


@dataclass(frozen=True)
class ParkedDelivery:
    pk: int
    hub_kind: str
    subscription: str
    event_id: str
    event_type: str
    callback: str
    attempts: int
    last_error: str | None


def parked(
    connection: Connection, subscription: str | None = None, limit: int = 1000
) -> list[ParkedDelivery]:
    d = event_delivery.c
    query = select(
        d.pk,
        d.hub_kind,
        d.subscription,
        d.event_id,
        d.event_type,
        d.callback,
        d.attempts,
        d.last_error,
    ).where(d.status == PARKED)
    if subscription is not None:
        query = query.where(d.subscription == subscription)
    # Oldest first: pk follows creation (SQLite may reuse an emptied outbox's event_seq).
    rows = connection.execute(query.order_by(d.pk).limit(limit)).all()
    return [ParkedDelivery(*row) for row in rows]


def redeliver(connection: Connection, subscription: str | None = None) -> int:
    """Put parked deliveries back in line, due now; returns how many."""
    d = event_delivery.c
    statement = update(event_delivery).where(d.status == PARKED)
    if subscription is not None:
        statement = statement.where(d.subscription == subscription)
    result = connection.execute(
        statement.values(
            status=PENDING, due_ms=now_ms(), attempts=0, first_failure_ms=None, last_error=None
        )
    )
    return int(result.rowcount)


# --- secrets -----------------------------------------------------------------------------------


def save_secret(connection: Connection, hub_kind: str, subscription: str, secret: str) -> None:
    connection.execute(
        insert(subscription_secret).values(
            hub_kind=hub_kind, subscription=subscription, secret=secret
        )
    )
