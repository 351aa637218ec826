"""A `/hub` subscription's `query`: which events it wants and how much of each.

The query uses the list-query syntax of TMF630 on the event envelope:

- `eventType=ProductOrderStateChangeEvent,ProductOrderCreateEvent` picks event types;
- `event.productOrder.state=completed` (or, when the API has one resource, `state=completed`)
  filters on the entity's attributes, with the operators of list queries (`.gt`, `.ne`, ...);
- `fields=event.productOrder.state` (or, when the API has one resource, `fields=id,state`)
  keeps only those first-level attributes of the entity (plus id and href).

Every name is checked against the API's event types and the entity's schema when the
subscription is created, so a typo is a 400, not a subscription that never fires.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from cascade.tmf.documents import project
from cascade.tmf.errors import bad_request
from cascade.tmf.events import EventTypes
from cascade.tmf.matching import matches_all
from cascade.tmf.query import Condition, parse_condition, parse_fields
from cascade.tmf.schema import Shape

MAX_QUERY_LENGTH = 2000


@dataclass(frozen=True)
class Publisher:
    """One resource of an API that publishes events: its payload key, schema and types."""

    kind: str
    payload_key: str
    shape: Shape
    types: EventTypes


@dataclass(frozen=True)
class SubscriptionQuery:
    """A parsed query. `event_types` None means every type; conditions and fields by payload key."""

    event_types: frozenset[str] | None = None
    conditions: dict[str, tuple[Condition, ...]] = field(default_factory=dict)
    fields: dict[str, frozenset[str]] = field(default_factory=dict)

    def wants(self, event_type: str, payload_key: str, document: dict[str, Any]) -> bool:
        if self.event_types is not None and event_type not in self.event_types:
            return False
        if not self.conditions:
            return True
        conditions = self.conditions.get(payload_key)
        if conditions is None:
            return False  # the query filters on another resource's attributes
        return matches_all(document, conditions)

    def thin(self, payload_key: str, document: dict[str, Any]) -> dict[str, Any] | None:
        """The entity with only the chosen fields, or None to keep it whole."""
        selected = self.fields.get(payload_key)
        return None if selected is None else project(document, selected)


def parse_subscription_query(query: Any, publishers: Sequence[Publisher]) -> SubscriptionQuery:
    """Parse and check a subscription's `query` (None or empty: every event)."""
    if query is None or (isinstance(query, str) and not query.strip()):
        return SubscriptionQuery()
    if not isinstance(query, str):
        raise bad_request("query must be a string", "invalidQuery")
    if len(query) > MAX_QUERY_LENGTH:
        raise bad_request(f"query is longer than {MAX_QUERY_LENGTH} characters", "invalidQuery")
    by_key = {publisher.payload_key: publisher for publisher in publishers}
    known_types = {name for publisher in publishers for name in publisher.types.all()}
    event_types: set[str] | None = None
    conditions: dict[str, list[Condition]] = {}
    fields: dict[str, frozenset[str]] = {}
    for raw_name, raw_value in _pairs(query):
        if raw_name == "eventType":
            chosen = {value.strip() for value in raw_value.split(",") if value.strip()}
            unknown = sorted(chosen - known_types)
            if unknown or not chosen:
                raise bad_request(
                    f"query: unknown eventType {', '.join(unknown) or '(empty)'}; this API "
                    f"publishes {', '.join(sorted(known_types))}",
                    "invalidQuery",
                )
            event_types = (event_types or set()) | chosen
        elif raw_name == "fields":
            for key, names in _fields_by_key(raw_value, by_key).items():
                fields[key] = fields.get(key, frozenset()) | names
        else:
            publisher, attribute = _target(raw_name, by_key)
            condition = parse_condition(attribute, raw_value, publisher.shape)
            conditions.setdefault(publisher.payload_key, []).append(condition)
    return SubscriptionQuery(
        frozenset(event_types) if event_types is not None else None,
        {key: tuple(found) for key, found in conditions.items()},
        fields,
    )


def _pairs(query: str) -> Iterable[tuple[str, str]]:
    """`a=b&c=d` pairs; TMF examples also write `eventType = X`, so spaces around names go."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise bad_request(
            f"query '{query}' is not of the form name=value&...", "invalidQuery"
        ) from None
    return [(name.strip(), value.strip()) for name, value in pairs]


def _target(name: str, by_key: dict[str, Publisher]) -> tuple[Publisher, str]:
    """Which resource a filter name is about, and the attribute path within it."""
    if name.startswith("event."):
        key, _, attribute = name.removeprefix("event.").partition(".")
        publisher = by_key.get(key)
        if publisher is None or not attribute:
            raise bad_request(
                f"query: '{name}' names no resource of this API "
                f"(event.<{'|'.join(sorted(by_key))}>.<attribute>)",
                "invalidQuery",
            )
        return publisher, attribute
    if len(by_key) == 1:
        return next(iter(by_key.values())), name
    raise bad_request(
        f"query: say which resource '{name}' is about, e.g. event.{sorted(by_key)[0]}.{name}",
        "invalidQuery",
    )


def _fields_by_key(raw: str, by_key: dict[str, Publisher]) -> dict[str, frozenset[str]]:
    chosen: dict[str, list[str]] = {}
    for name in (part.strip() for part in raw.split(",")):
        if not name:
            continue
        publisher, attribute = _target(name, by_key)
        chosen.setdefault(publisher.payload_key, []).append(attribute)
    return {key: parse_fields(",".join(names), by_key[key].shape) for key, names in chosen.items()}
