"""The audit trail: who created, changed, cancelled or deleted what, and when.

Entries are written in the same transaction as the change they record (a change that rolls
back leaves no entry) and are only ever inserted: no API or command changes or removes one.
Controllers write with their own identity inside the fulfilment runtime, not through client
requests, so the trail holds what clients did; what the controllers did shows in the documents'
states and events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from cascade.frontend.types import Caller
from cascade.storage.tables import audit_entry
from cascade.tmf.errors import bad_request
from cascade.tmf.instants import normalize_instant, now_instant

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
FILTERS = {"kind": "kind", "entityId": "entity_id", "actor": "actor", "action": "action"}
FILTERS_PARTY = "party"


def record(
    connection: Connection,
    caller: Caller,
    action: str,
    kind: str,
    entity_id: str,
    detail: str | None = None,
) -> None:
    connection.execute(
        insert(audit_entry).values(
            at=now_instant(),
            actor=caller.subject,
            party=caller.party,
            action=action,
            kind=kind,
            entity_id=entity_id,
            request_id=caller.request_id,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class AuditQuery:
    """Which entries to read: equality filters, a time window, a page (newest first)."""

    equal: tuple[tuple[str, str], ...] = ()
    since: str | None = None
    until: str | None = None
    offset: int = 0
    limit: int = DEFAULT_LIMIT


def parse_audit_query(params: list[tuple[str, str]], party: str | None = None) -> AuditQuery:
    """`kind`, `entityId`, `actor`, `action`, `since`, `until`, `offset`, `limit`.

    A party-bound administrator reads only its party's entries.
    """
    equal: list[tuple[str, str]] = [] if party is None else [(FILTERS_PARTY, party)]
    since = until = None
    offset, limit = 0, DEFAULT_LIMIT
    for key, value in params:
        if key in FILTERS:
            equal.append((FILTERS[key], value))
        elif key in ("since", "until"):
            try:
                instant = normalize_instant(value)
            except ValueError as exc:
                raise bad_request(f"'{key}': {exc}") from None
            since, until = (instant, until) if key == "since" else (since, instant)
        elif key in ("offset", "limit"):
            number = _integer(key, value)
            if key == "limit" and not 1 <= number <= MAX_LIMIT:
                raise bad_request(f"'limit' must be between 1 and {MAX_LIMIT}")
            if key == "offset" and number < 0:
                raise bad_request("'offset' must be at least 0")
            offset, limit = (number, limit) if key == "offset" else (offset, number)
        else:
            raise bad_request(f"Unknown audit filter '{key}'", "unknownAttribute")
    return AuditQuery(tuple(equal), since, until, offset, limit)


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"'{name}' must be an integer, not '{value}'") from None


def read_entries(connection: Connection, query: AuditQuery) -> tuple[list[dict[str, Any]], int]:
    """A page of entries, newest first, and how many match."""
    where = [audit_entry.c[column] == value for column, value in query.equal]
    if query.since is not None:
        where.append(audit_entry.c.at >= query.since)
    if query.until is not None:
        where.append(audit_entry.c.at < query.until)
    rows = connection.execute(
        select(audit_entry)
        .where(*where)
        .order_by(audit_entry.c.seq.desc())
        .offset(query.offset)
        .limit(query.limit)
    ).mappings()
    entries = [_entry(row) for row in rows]
    total = connection.execute(select(func.count()).select_from(audit_entry).where(*where))
    return entries, int(total.scalar_one())


def _entry(row: Any) -> dict[str, Any]:
    entry = {
        "@type": "CascadeAuditEntry",
        "id": str(row["seq"]),
        "at": row["at"],
        "actor": row["actor"],
        "action": row["action"],
        "kind": row["kind"],
        "entityId": row["entity_id"],
    }
    for name, column in (("party", "party"), ("requestId", "request_id"), ("detail", "detail")):
        if row[column] is not None:
            entry[name] = row[column]
    return entry
