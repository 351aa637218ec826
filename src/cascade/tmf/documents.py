"""Server-side shaping of TMF documents: identities, initial states, dates, projections."""

from __future__ import annotations

import uuid
from typing import Any

from cascade.tmf.declarations import Kind
from cascade.tmf.document_dates import normalize_dates
from cascade.tmf.schema import Shape

SERVER_FIRST = ("id", "href")


def new_id() -> str:
    return str(uuid.uuid4())


def prepare_new(
    kind: Kind, body: dict[str, Any], *, id_: str, href: str, now: str, shape: Shape
) -> dict[str, Any]:
    """The stored document for a create: server-set id, href, @type, dates and states."""
    document: dict[str, Any] = {"id": id_, "href": href}
    document.update((k, v) for k, v in body.items() if k not in SERVER_FIRST)
    document.setdefault("@type", kind.entity)
    if kind.creation_date:
        document[kind.creation_date] = now
    if kind.last_update:
        document[kind.last_update] = now
    if kind.state and kind.initial_state:
        requested = document.get(kind.requested_state or "")
        chosen = requested if requested in kind.requestable_states else kind.initial_state
        document[kind.state] = chosen
    for items in kind.item_states:
        _set_item_states(document.get(items.array), items.array, items.attribute, items.initial)
    normalize_dates(document, shape)
    return document


def prepare_update(
    kind: Kind, document: dict[str, Any], *, now: str, shape: Shape
) -> dict[str, Any]:
    if kind.last_update:
        document[kind.last_update] = now
    normalize_dates(document, shape)
    return document


def _set_item_states(items: Any, array: str, attribute: str, initial: str) -> None:
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, dict):
            item[attribute] = initial
            _set_item_states(item.get(array), array, attribute, initial)


def project(document: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """Keep only the requested first-level attributes, plus id and href."""
    return {k: v for k, v in document.items() if k in fields or k in SERVER_FIRST}


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_allows(header: str | None, version: int) -> bool:
    if header is None:
        return True
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag(version) in candidates
