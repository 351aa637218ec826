"""Fan-out: each outbox event becomes one delivery per subscription that wants it.

Runs in one writer transaction: read the oldest outbox rows, read the subscriptions of their
APIs, write the deliveries and delete the rows. A crash before the commit leaves the outbox as
it was; after it, the deliveries exist. On PostgreSQL an advisory lock lets one process fan
out at a time, so the deliveries of one entity are created in the order of its events; a
process that does not get it at once skips its turn rather than stall its writer (whose batch
holds the API's writes too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, select

from cascade.events import store
from cascade.events.query import Publisher, SubscriptionQuery, parse_subscription_query
from cascade.events.store import try_transaction_lock
from cascade.storage.tables import entity, entity_owner
from cascade.tmf.errors import TmfError

# Whether a party may see an entity of a kind (the security party rules decide).
Audience = Callable[[Connection, str, dict[str, Any], str], bool]
FAN_OUT_LOCK = 0x43415343  # advisory lock key: "CASC"


@dataclass(frozen=True)
class Subscription:
    hub_kind: str
    id: str
    callback: str
    query: SubscriptionQuery
    party: str | None


class Dispatcher:
    """Turns outbox rows into deliveries for the subscriptions of each API."""

    def __init__(
        self,
        publishers: Mapping[str, Sequence[Publisher]],
        audience: Audience | None = None,
        batch: int = 500,
    ) -> None:
        self.publishers = publishers  # by API code
        self.by_kind = {
            (api, p.kind): p for api, found in publishers.items() for p in found
        }  # by the outbox row's API and kind
        self.audience = audience
        self.batch = batch
        self._parsed: dict[tuple[str, str, str | None], SubscriptionQuery | None] = {}

    def fan_out(self, connection: Connection) -> int:
        """Fan out one batch of outbox rows; returns how many events were taken."""
        if not try_transaction_lock(connection, FAN_OUT_LOCK):
            return 0  # another process is fanning out: its batch holds the events' order
        events = store.take_outbox(connection, self.batch)
        if not events:
            return 0
        subscriptions = self._subscriptions(connection, {event.api for event in events})
        deliveries: list[store.NewDelivery] = []
        for event in events:
            wanting = subscriptions.get(event.api, [])
            if wanting:
                deliveries.extend(self._deliveries(connection, event, wanting))
        store.add_deliveries(connection, deliveries, store.now_ms())
        store.forget_outbox(connection, events[-1].seq, [event.seq for event in events])
        return len(events)

    def _deliveries(
        self, connection: Connection, event: store.OutboxEvent, wanting: list[Subscription]
    ) -> list[store.NewDelivery]:
        publisher = self.by_kind.get((event.api, event.kind))
        if publisher is None:
            return []
        envelope = msgspec.json.decode(event.envelope)
        document = envelope.get("event", {}).get(publisher.payload_key) or {}
        found = []
        for subscription in wanting:
            if not subscription.query.wants(event.event_type, publisher.payload_key, document):
                continue
            if subscription.party is not None and not (
                self.audience is not None
                and self.audience(connection, event.kind, document, subscription.party)
            ):
                continue
            body = event.envelope
            thinned = subscription.query.thin(publisher.payload_key, document)
            if thinned is not None:
                body = msgspec.json.encode(
                    {**envelope, "event": {publisher.payload_key: thinned}}
                ).decode()
            found.append(
                store.NewDelivery(
                    subscription.hub_kind,
                    subscription.id,
                    f"{event.kind}/{event.entity_id}",
                    event.seq,
                    str(envelope.get("eventId")),
                    event.event_type,
                    subscription.callback,
                    body,
                )
            )
        return found

    def _subscriptions(
        self, connection: Connection, apis: set[str]
    ) -> dict[str, list[Subscription]]:
        hub_kinds = {f"{api}.hub": api for api in apis}
        rows = connection.execute(
            select(entity.c.kind, entity.c.id, entity.c.doc, entity_owner.c.party)
            .outerjoin(
                entity_owner,
                (entity_owner.c.kind == entity.c.kind) & (entity_owner.c.entity_id == entity.c.id),
            )
            .where(entity.c.kind.in_(list(hub_kinds)))
        ).all()
        found: dict[str, list[Subscription]] = {}
        for kind, id_, doc, party in rows:
            api = hub_kinds[kind]
            document = msgspec.json.decode(doc)
            query = self._query(api, id_, document.get("query"))
            callback = document.get("callback")
            if query is None or not isinstance(callback, str):
                continue
            found.setdefault(api, []).append(Subscription(kind, id_, callback, query, party))
        return found

    def _query(self, api: str, id_: str, text: str | None) -> SubscriptionQuery | None:
        key = (api, id_, text)
        if key not in self._parsed:
            try:
                self._parsed[key] = parse_subscription_query(text, self.publishers.get(api, ()))
            except TmfError:
                self._parsed[key] = None  # checked at creation; a stale one matches nothing
        return self._parsed[key]
