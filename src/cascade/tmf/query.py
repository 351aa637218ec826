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

# `present` (value True: some value at the path; False: none) is no client's: a view's derived
# filters use it (ADR 0035); clients have OPERATORS.
Operator = Literal["eq", "ne", "gt", "gte", "lt", "lte", "present"]
Scalar = str | float | bool
OPERATOR_ORDER = ("eq", "ne", "gt", "gte", "lt", "lte")
OPERATORS: frozenset[str] = frozenset(OPERATOR_ORDER)
RESERVED = frozenset({"fields", "offset", "limit", "sort"})
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000  # beyond any store; a bigger one overflowed the SQL integer (500)
MAX_FILTER_TERMS = 20
MAX_FIELDS = 50
_DIGITS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class Condition:
    """`attribute op value` where several values mean OR (only for eq and ne: IN / NOT IN)."""

    attribute: str
    path: ResolvedPath
    op: Operator
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when every condition of one of `branches` holds: a filter on an attribute that a
    view derives from several stored ones (TMF639 v5's statuses), said in stored terms.
    No branch never holds; an empty branch always does."""

    attribute: str
    branches: tuple[tuple[Condition, ...], ...]


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
    alternatives: tuple[AnyOf, ...] = ()  # ANDed with `conditions` (a view's derived filters)


def parse_list_query(params: Iterable[tuple[str, str]], shape: Shape) -> ListQuery:
    """The query of a list request; 400 for anything it cannot mean (TMF630 part 1).

    Filters on different attributes, or with different operators on one (a range), are
    ANDed; a comma list is an OR. The same attribute with the same operator twice on a
    single value could only ever match nothing (`state=a&state=b`), so it is a 400 that
    says to write `state=a,b`; on a path through an array (`relatedParty.id`) it means
    "has both" and stays. Paging, `sort` and `fields` may each be given once.
    """
    reserved: dict[str, str] = {}
    conditions: list[Condition] = []
    for key, raw in params:
        if key in RESERVED:
            if key in reserved:
                raise bad_request(f"'{key}' is given twice", "duplicateParameter")
            reserved[key] = raw
        else:
            conditions.append(parse_condition(key, raw, shape))
    if len(conditions) > MAX_FILTER_TERMS:
        raise bad_request(f"At most {MAX_FILTER_TERMS} filter terms are accepted", "tooManyFilters")
    _refuse_repeated(conditions)
    fields = reserved.get("fields")
    return ListQuery(
        tuple(conditions),
        _parse_sort(reserved["sort"], shape) if "sort" in reserved else (),
        parse_fields(fields, shape) if fields is not None else None,
        _parse_int("offset", reserved["offset"], 0, MAX_OFFSET) if "offset" in reserved else 0,
        _parse_int("limit", reserved["limit"], 1, MAX_LIMIT)
        if "limit" in reserved
        else DEFAULT_LIMIT,
    )


def _refuse_repeated(conditions: list[Condition]) -> None:
    seen: set[tuple[str, str]] = set()
    for condition in conditions:
        key = (condition.attribute, condition.op)
        if key in seen and not condition.path.crosses_array:
            suffix = "" if condition.op == "eq" else f".{condition.op}"
            raise bad_request(
                f"Filter '{condition.attribute}{suffix}' is given twice: give it once, with a "
                f"comma list for any of several values ({condition.attribute}{suffix}=a,b)",
                "duplicateFilter",
            )
        seen.add(key)


def parse_fields(raw: str, shape: Shape) -> frozenset[str]:
    names = [name.strip() for name in raw.split(",")]
    if not any(names):
        raise bad_request("fields: name at least one attribute", "invalidFields")
    if not all(names):
        raise bad_request(f"fields: an empty name in '{raw}'", "invalidFields")
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
        parent = resolve_path(shape, head)
        if suffix in OPERATORS:
            attribute, op, resolved = head, suffix, parent
        elif parent is not None and parent.leaf.kind not in ("object", "array"):
            raise bad_request(
                f"Unknown operator '{suffix}' on '{head}': use one of {', '.join(OPERATOR_ORDER)}",
                "unknownOperator",
            )
    if resolved is None:
        raise bad_request(f"Unknown attribute '{attribute}' in filter", "unknownAttribute")
    if resolved.leaf.kind in ("object", "array"):
        raise bad_request(f"'{attribute}' is not a simple value and cannot be filtered")
    if "\x00" in raw:
        raise bad_request(f"Filter '{key}' holds a NUL character")
    values = tuple(_typed(attribute, value, resolved.leaf) for value in split_values(raw, key))
    if len(values) > 1 and op not in ("eq", "ne"):
        raise bad_request(f"Filter '{key}' accepts a single value")
    return Condition(attribute, resolved, op, values)  # type: ignore[arg-type]


def split_values(raw: str, key: str = "value") -> list[str]:
    """Comma-separated values; a value that starts with a double quote ends at the next one,
    may hold commas and loses its quotes. A quote inside an unquoted value is a character."""
    values: list[str] = []
    rest = raw
    while True:
        rest = rest.lstrip()
        if rest.startswith('"'):
            closing = rest.find('"', 1)
            if closing < 0:
                raise bad_request(
                    f"Filter '{key}': a quote opens and never closes", "invalidFilter"
                )
            values.append(rest[1:closing])
            rest = rest[closing + 1 :].lstrip()
            if rest and not rest.startswith(","):
                raise bad_request(
                    f"Filter '{key}': text after a closing quote (a comma must follow it)",
                    "invalidFilter",
                )
        else:
            value, _, _ = rest.partition(",")
            if not value.strip():
                raise bad_request(f"Filter '{key}' has an empty value", "invalidFilter")
            values.append(value.strip())
            rest = rest[len(value) :]
        if not rest:
            return values
        rest = rest[1:]  # the comma


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


def _parse_int(name: str, raw: str, minimum: int, maximum: int) -> int:
    if not _DIGITS.fullmatch(raw):
        raise bad_request(f"'{name}' must be a whole number in digits, not '{raw}'")
    value = int(raw)
    if value < minimum or value > maximum:
        raise bad_request(f"'{name}' must be at least {minimum} and at most {maximum}")
    return value


def _parse_sort(raw: str, shape: Shape) -> tuple[SortKey, ...]:
    keys: list[SortKey] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            raise bad_request(f"sort: an empty name in '{raw}'", "invalidSort")
        descending = part.startswith("-")
        attribute = part.lstrip("+-")
        if not attribute:
            raise bad_request(f"sort: '{part}' names no attribute", "invalidSort")
        resolved = resolve_path(shape, attribute)
        if resolved is None:
            raise bad_request(f"Unknown attribute '{attribute}' in sort", "unknownAttribute")
        if resolved.crosses_array or resolved.leaf.kind in ("object", "array"):
            raise bad_request(f"Cannot sort on '{attribute}': it is not a single value")
        if any(key.attribute == attribute for key in keys):
            raise bad_request(f"sort: '{attribute}' is given twice", "invalidSort")
        keys.append(SortKey(attribute, resolved, descending))
    return tuple(keys)
