"""Turning list conditions and sort keys into SQL, with values always bound as parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, and_, cast, false, func, literal, not_, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB, JSONPATH
from sqlalchemy.sql.elements import KeyedColumnElement

from cascade.storage.tables import entity, entity_term
from cascade.tmf.query import AnyOf, Condition, Scalar, SortKey


@dataclass(frozen=True)
class IndexedAttributes:
    """Which attributes of a kind live in indexed columns or in the term table."""

    kind: str
    columns: Mapping[str, KeyedColumnElement[Any]]
    terms: frozenset[str]


def selects_by_term(condition: Condition, indexed: IndexedAttributes) -> bool:
    """True when the condition is answered from the term table and keeps only matching rows.

    Such a condition already restricts the kind, and the query should be driven by it: with a
    redundant `kind = ?` SQLite would walk every row of the kind instead.
    """
    return (
        condition.attribute not in indexed.columns
        and condition.attribute in indexed.terms
        and condition.path.leaf.kind == "string"
        and condition.op != "ne"
    )


def condition_clause(
    condition: Condition, indexed: IndexedAttributes, dialect: str
) -> ColumnElement[bool]:
    column = indexed.columns.get(condition.attribute)
    if condition.op == "present":
        return _present_clause(condition, column, indexed, dialect)
    if column is not None:
        return _compare(column, condition.op, condition.values)
    if condition.attribute in indexed.terms and condition.path.leaf.kind == "string":
        return _term_clause(condition, indexed.kind)
    if dialect == "postgresql":
        return _jsonpath_clause(condition)
    spec = msgspec.json.encode([condition.path.segments, condition.op, condition.values]).decode()
    return func.tmf_match(entity.c.doc, literal(spec)) == 1


def any_of_clause(any_of: AnyOf, indexed: IndexedAttributes, dialect: str) -> ColumnElement[bool]:
    """The branches of a derived filter, ORed, each an AND of its conditions."""
    if not any_of.branches:
        return false()
    return or_(
        *(
            and_(true(), *(condition_clause(c, indexed, dialect) for c in branch))
            for branch in any_of.branches
        )
    )


def sort_expression(key: SortKey, indexed: IndexedAttributes, dialect: str) -> ColumnElement[Any]:
    column = indexed.columns.get(key.attribute)
    expression: ColumnElement[Any]
    if column is not None:
        expression = column
    elif dialect == "postgresql":
        expression = cast(entity.c.doc, JSONB)[list(key.path.segments)]
    else:
        expression = func.json_extract(entity.c.doc, _sqlite_json_path(key.path.segments))
    return expression.desc() if key.descending else expression.asc()


def _compare(
    column: ColumnElement[Any], op: str, values: tuple[Scalar, ...]
) -> ColumnElement[bool]:
    texts = [v if isinstance(v, str) else _text_of(v) for v in values]
    if op == "eq":
        return column == texts[0] if len(texts) == 1 else column.in_(texts)
    if op == "ne":
        return (column.is_(None)) | column.not_in(texts)
    return {
        "gt": column > texts[0],
        "gte": column >= texts[0],
        "lt": column < texts[0],
        "lte": column <= texts[0],
    }[op]


def _term_clause(condition: Condition, kind: str) -> ColumnElement[bool]:
    op = "eq" if condition.op == "ne" else condition.op
    matching = select(entity_term.c.entity_pk).where(
        entity_term.c.kind == kind,
        entity_term.c.path == condition.attribute,
        _compare(entity_term.c.value, op, condition.values),
    )
    inside = entity.c.pk.in_(matching)
    return not_(inside) if condition.op == "ne" else inside


def _present_clause(
    condition: Condition,
    column: KeyedColumnElement[Any] | None,
    indexed: IndexedAttributes,
    dialect: str,
) -> ColumnElement[bool]:
    """Some value at the path (`present` True), or none (False); a null is none (lax
    jsonpath unwraps a list, so its entries are what is tested, and an empty one holds none)."""
    some: ColumnElement[bool]
    if column is not None:
        some = column.is_not(None)
    elif condition.attribute in indexed.terms:
        some = entity.c.pk.in_(
            select(entity_term.c.entity_pk).where(
                entity_term.c.kind == indexed.kind, entity_term.c.path == condition.attribute
            )
        )
    elif dialect == "postgresql":
        path = "$" + "".join(f'."{_escape(segment)}"' for segment in condition.path.segments)
        some = func.jsonb_path_exists(
            cast(entity.c.doc, JSONB), cast(literal(f'{path} ? (@.type() != "null")'), JSONPATH)
        )
    else:
        spec = msgspec.json.encode([condition.path.segments, "present", [True]]).decode()
        some = func.tmf_match(entity.c.doc, literal(spec)) == 1
    return some if condition.values[0] is True else not_(some)


_JSONPATH_OPS = {"eq": "==", "ne": "==", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _jsonpath_clause(condition: Condition) -> ColumnElement[bool]:
    path = "$" + "".join(f'."{_escape(segment)}"' for segment in condition.path.segments)
    symbol = _JSONPATH_OPS[condition.op]
    tests = " || ".join(f"@ {symbol} $v{i}" for i in range(len(condition.values)))
    variables = {f"v{i}": value for i, value in enumerate(condition.values)}
    exists = func.jsonb_path_exists(
        cast(entity.c.doc, JSONB),
        cast(literal(f"{path} ? ({tests})"), JSONPATH),
        cast(literal(msgspec.json.encode(variables).decode()), JSONB),
    )
    return not_(exists) if condition.op == "ne" else exists


def _sqlite_json_path(segments: tuple[str, ...]) -> str:
    return "$" + "".join(f'."{_escape(segment)}"' for segment in segments)


def _escape(segment: str) -> str:
    return segment.replace("\\", "\\\\").replace('"', '\\"')


def _text_of(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


__all__ = [
    "IndexedAttributes",
    "any_of_clause",
    "condition_clause",
    "selects_by_term",
    "sort_expression",
]
