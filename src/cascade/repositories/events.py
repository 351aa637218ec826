"""The outbox writer: the TMF events of a change, recorded in the change's transaction.

Every write of an entity records its events in `event_outbox` inside the same transaction, so
a change never commits without its events and no event survives a change that rolled back.
Delivery to `/hub` subscribers happens later (cascade.events). Events of an API nobody
subscribes to are not recorded: whether the API has subscriptions is read once per writer
transaction (in the transaction, so a subscription committed before it is always seen).
Either way the entity is marked as touched (storage/committed.py): once the transaction has
committed, the console's live pages hear of it, subscribers or not. A change is marked without
working out its events (that would decode the document replaced on every controller step): a
write that changes only `lastUpdate` costs a listener one needless re-read.

Which events a resource publishes is read from its swagger (cascade.tmf.events). An envelope
carries only the attributes its definition lists (TMF spells one of them `timeOcurred`). A v5
resource's envelopes (ResourceSpec.view) carry the entity as v5 shows it, and the v5 event's
`@type`, `source` (the entity) and `reportingSystem` (Cascade). No envelope carries what
Cascade keeps on an order's items for itself (tmf/kept.py), and a change of only that is no
event.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.storage.committed import touch
from cascade.tmf.declarations import View
from cascade.tmf.events import EventTypes
from cascade.tmf.instants import now_instant
from cascade.tmf.kept import KeptAttributes
from cascade.tmf.spec import SpecDocument

# A state entered because something outside is needed: TMF's "information required" event.
INFORMATION_STATES = frozenset({"pending"})
ENVELOPE_EXTRAS = ("correlationId", "domain", "title", "description", "priority")
TIME_ATTRIBUTES = ("timeOcurred", "timeOccurred")

_SUBSCRIBED = "cascade.subscribed"  # connection.info key: (transaction, hub kinds with any)
_INSERT = "INSERT INTO event_outbox (api, kind, entity_id, event_type, envelope) VALUES ({m})"
_INSERT_SQLITE = _INSERT.format(m="?, ?, ?, ?, ?")
_INSERT_POSTGRESQL = _INSERT.format(m="%s, %s, %s, %s, %s")


@dataclass(frozen=True)
class PendingEvent:
    """One event to record: its type, and for attribute changes the attributes that changed."""

    event_type: str
    field_path: str | None = None


class EventRecorder:
    """Writes the events of one resource's changes to the outbox, in the writer's transaction."""

    def __init__(
        self,
        spec: SpecDocument,
        api_code: str,
        kind: str,
        types: EventTypes,
        *,
        state: str | None,
        ignored: Iterable[str] = (),
        view: View | None = None,
        hrefs: tuple[str, str] = ("", ""),
        kept: KeptAttributes | None = None,
    ) -> None:
        self.api_code = api_code
        self.view = view
        self.kept = kept if kept else None
        self.stored_href, self.shown_href = hrefs
        self.hub_kind = f"{api_code}.hub"
        self.kind = kind
        self.types = types
        self.state = state
        self.ignored = frozenset(ignored)  # server-set on every write (lastUpdate): no change
        self.domain = spec.base_path.strip("/").split("/")[1] if "/" in spec.base_path else ""
        self._envelope_attributes = {
            name: spec.properties(name) if spec.has(name) else frozenset() for name in types.all()
        }

    # --- what happened ----------------------------------------------------------------------

    def created(self, connection: Connection, document: dict[str, Any], text: bytes) -> None:
        touch(connection, str(document.get("id")))
        if self.types.create and self._heard(connection):
            event = PendingEvent(self.types.create)
            self._record(connection, str(document.get("id")), text, [event])

    def deleted(self, connection: Connection, entity_id: str, text: bytes) -> None:
        """`text`: the entity as it was stored, carried by the delete event."""
        touch(connection, entity_id)
        if self.types.delete and self._heard(connection):
            self._record(connection, entity_id, text, [PendingEvent(self.types.delete)])

    def changed(
        self, connection: Connection, before: str, after: dict[str, Any], text: bytes
    ) -> None:
        """`before`: the stored JSON the change replaced (decoded only when someone listens)."""
        touch(connection, str(after.get("id")))
        if not self._heard(connection):
            return
        events = self.events_of_change(msgspec.json.decode(before), after)
        if events:
            self._record(connection, str(after.get("id")), text, events)

    def _heard(self, connection: Connection) -> bool:
        return has_subscriptions(connection, self.hub_kind)

    def events_of_change(self, before: dict[str, Any], after: dict[str, Any]) -> list[PendingEvent]:
        """The events a change from `before` to `after` publishes (none if nothing changed)."""
        if self.kept is not None:  # as a client sees them
            before, after = self.kept.without(before), self.kept.without(after)
        changed = sorted(
            name
            for name in before.keys() | after.keys()
            if name not in self.ignored and before.get(name) != after.get(name)
        )
        types = self.types
        events: list[PendingEvent] = []
        state = self.state
        state_changed = state is not None and state in changed
        if state_changed and types.state_change:
            events.append(PendingEvent(types.state_change))
            changed.remove(state)  # type: ignore[arg-type]
        if changed and types.change:
            events.append(PendingEvent(types.change, ",".join(changed)))
        if (
            state_changed
            and types.information_required
            and after.get(state or "") in INFORMATION_STATES
        ):
            events.append(PendingEvent(types.information_required))
        key = types.payload_key
        for attributes, event_type in (
            (("milestone", f"{key}Milestone"), types.milestone),
            (("jeopardyAlert", f"{key}JeopardyAlert"), types.jeopardy),
            (("errorMessage", f"{key}ErrorMessage"), types.error_message),
        ):
            # TMF641 names the lists `milestone`...; TMF622 v5 `productOrderMilestone`...
            grew = any(_grew(before.get(a), after.get(a)) for a in attributes)
            if event_type and grew:
                events.append(PendingEvent(event_type))
        return events

    # --- the outbox -------------------------------------------------------------------------

    def _record(
        self,
        connection: Connection,
        entity_id: str,
        text: bytes,
        events: list[PendingEvent],
    ) -> None:
        now = now_instant()
        sql = _INSERT_SQLITE if connection.dialect.name == "sqlite" else _INSERT_POSTGRESQL
        rows = [
            (
                self.api_code,
                self.kind,
                entity_id,
                event.event_type,
                self.envelope(event, entity_id, now, text).decode(),
            )
            for event in events
        ]
        if connection.dialect.name == "sqlite":
            cursor: Any = connection.connection.dbapi_connection
            cursor.executemany(sql, rows)
        else:
            connection.exec_driver_sql(sql, rows)

    def envelope(self, event: PendingEvent, entity_id: str, now: str, text: bytes) -> bytes:
        """The TMF notification for one event, the entity embedded as already-encoded JSON."""
        allowed = self._envelope_attributes.get(event.event_type, frozenset())
        envelope: dict[str, Any] = {
            "eventId": str(uuid.uuid4()),
            "eventTime": now,
            "eventType": event.event_type,
        }
        extras = {
            "correlationId": entity_id,
            "domain": self.domain,
            "title": event.event_type,
            "description": f"{event.event_type} for {self.types.payload_key} {entity_id}",
            "priority": "Normal",
        }
        envelope.update((k, v) for k, v in extras.items() if k in allowed)
        for name in TIME_ATTRIBUTES:
            if name in allowed:
                envelope[name] = now
        if event.field_path is not None and "fieldPath" in allowed:
            envelope["fieldPath"] = event.field_path
        if self.kept is not None and self.kept.in_text(text):
            text = msgspec.json.encode(self.kept.conceal(msgspec.json.decode(text)))
        if self.view is not None:
            shown = self.view.show(msgspec.json.decode(text))
            href = shown.get("href")
            if self.stored_href and isinstance(href, str) and href.startswith(self.stored_href):
                shown["href"] = self.shown_href + href.removeprefix(self.stored_href)
            envelope.update(_v5_envelope(event.event_type, shown, allowed))
            text = msgspec.json.encode(shown)
        envelope["event"] = {self.types.payload_key: msgspec.Raw(text)}
        return msgspec.json.encode(envelope)


REPORTING_SYSTEM = {"@type": "EntityRef", "id": "cascade", "name": "Cascade"}


def _v5_envelope(event_type: str, shown: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """What a v5 event says besides the v4 attributes: its class, the entity, who reports."""
    source = {"@type": "EntityRef", "id": str(shown.get("id"))}
    source.update((k, str(shown[k])) for k in ("href",) if k in shown)
    source["@referredType"] = str(shown.get("@type", ""))
    extras = {"@type": event_type, "source": source, "reportingSystem": REPORTING_SYSTEM}
    return {k: v for k, v in extras.items() if k in allowed}


def has_subscriptions(connection: Connection, hub_kind: str) -> bool:
    """Whether the hub (`tmf622.hub`) has any subscription, read once per transaction."""
    transaction = connection.get_transaction()
    cached = connection.info.get(_SUBSCRIBED)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        connection.info[_SUBSCRIBED] = cached
    known: dict[str, bool] = cached[1]
    if hub_kind not in known:
        mark = "?" if connection.dialect.name == "sqlite" else "%s"
        sql = f"SELECT 1 FROM entity WHERE kind = {mark} LIMIT 1"
        known[hub_kind] = connection.exec_driver_sql(sql, (hub_kind,)).first() is not None
    return known[hub_kind]


def _grew(before: Any, after: Any) -> bool:
    """True when a list attribute (milestones, jeopardy alerts) gained entries."""
    count_before = len(before) if isinstance(before, list) else 0
    return isinstance(after, list) and len(after) > count_before
