"""TMF630 list queries: `fields`, filters with operators, `sort`, `offset`/`limit`.

Every attribute is checked against the resource's schema, so a typo is a 400, and values are
typed by the schema (numbers, booleans, instants) before they reach any store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cascade.tmf.errors import bad_request
from cascade.tmf.instants import normalize_instant
from cascade.tmf.schema import ResolvedPath, Shape, resolve_path

Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte"]
Scalar = str | float | bool
OPERATORS: frozenset[str] = frozenset({"eq", "ne", "gt", "gte", "lt", "lte"})
RESERVED = frozenset({"fields", "offset", "limit", "sort"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_FILTER_TERMS = 20
MAX_FIELDS = 50
_SPLIT = re.compile(r'"[^"]*"|[^,]+')


@dataclass(frozen=True)
class Condition:
    """`attribute op value` where several values mean OR (only for eq and ne: IN / NOT IN)."""

    attribute: str
    path: ResolvedPath
    op: Operator
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class SortKey:
    attribute: str
    path: ResolvedPath
    descending: bool


@dataclass(frozen=True)
class ListQuery:
    conditions: tuple[Condition, ...] = ()
    sort: tuple[SortKey, ...] = ()
    fields: frozenset[str] | None = None
    offset: int = 0
    limit: int = DEFAULT_LIMIT


def parse_list_query(params: Iterable[tuple[str, str]], shape: Shape) -> ListQuery:
    conditions: list[Condition] = []
    sort: tuple[SortKey, ...] = ()
    fields: frozenset[str] | None = None
    offset, limit = 0, DEFAULT_LIMIT
    for key, raw in params:
        if key == "fields":
            fields = parse_fields(raw, shape)
        elif key == "offset":
            offset = _parse_int("offset", raw, 0, None)
        elif key == "limit":
            limit = _parse_int("limit", raw, 1, MAX_LIMIT)
        elif key == "sort":
            sort = _parse_sort(raw, shape)
        else:
            conditions.append(parse_condition(key, raw, shape))
    if len(conditions) > MAX_FILTER_TERMS:
        raise bad_request(f"At most {MAX_FILTER_TERMS} filter terms are accepted", "tooManyFilters")
    return ListQuery(tuple(conditions), sort, fields, offset, limit)


def parse_fields(raw: str, shape: Shape) -> frozenset[str]:
    names = [name.strip() for name in raw.split(",") if name.strip()]
    if len(names) > MAX_FIELDS:
        raise bad_request(f"At most {MAX_FIELDS} fields are accepted", "tooManyFields")
    for name in names:
        if name not in shape.properties:
            raise bad_request(f"fields: unknown attribute '{name}'", "unknownAttribute")
    return frozenset(names)


def parse_condition(key: str, raw: str, shape: Shape) -> Condition:
    attribute, op = key, "eq"
    resolved = resolve_path(shape, key)
    if resolved is None and "." in key:
        head, _, suffix = key.rpartition(".")
        if suffix in OPERATORS:
            attribute, op = head, suffix
            resolved = resolve_path(shape, head)
    if resolved is None:
        raise bad_request(f"Unknown attribute '{attribute}' in filter", "unknownAttribute")
    if resolved.leaf.kind in ("object", "array"):
        raise bad_request(f"'{attribute}' is not a simple value and cannot be filtered")
    if "\x00" in raw:
        raise bad_request(f"Filter '{key}' holds a NUL character")
    values = tuple(_typed(attribute, value, resolved.leaf) for value in split_values(raw))
    if not values:
        raise bad_request(f"Filter '{key}' has no value")
    if len(values) > 1 and op not in ("eq", "ne"):
        raise bad_request(f"Filter '{key}' accepts a single value")
    return Condition(attribute, resolved, op, values)  # type: ignore[arg-type]


def split_values(raw: str) -> list[str]:
    """Comma-separated values; a value in double quotes may hold commas and loses its quotes."""
    values = []
    for match in _SPLIT.findall(raw):
        value = match.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values.append(value)
    return values


def _typed(attribute: str, value: str, leaf: Shape) -> Scalar:
    if leaf.kind in ("number", "integer"):
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"'{attribute}' takes a number, not '{value}'") from None
    if leaf.kind == "boolean":
        if value not in ("true", "false"):
            raise bad_request(f"'{attribute}' takes true or false, not '{value}'")
        return value == "true"
    if leaf.is_date_time:
        try:
            return normalize_instant(value)
        except ValueError as exc:
            raise bad_request(f"'{attribute}': {exc}") from None
    return value


def _parse_int(name: str, raw: str, minimum: int, maximum: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"'{name}' must be an integer, not '{raw}'") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise bad_request(f"'{name}' must be at least {minimum}{upper}")
    return value


def _parse_sort(raw: str, shape: Shape) -> tuple[SortKey, ...]:
    keys = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        descending = part.startswith("-")
        attribute = part.lstrip("+-")
        resolved = resolve_path(shape, attribute)
        if resolved is None:
            raise bad_request(f"Unknown attribute '{attribute}' in sort", "unknownAttribute")
        if resolved.crosses_array or resolved.leaf.kind in ("object", "array"):
            raise bad_request(f"Cannot sort on '{attribute}': it is not a single value")
        keys.append(SortKey(attribute, resolved, descending))
    return tuple(keys)
