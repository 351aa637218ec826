"""Evaluating filter conditions on a document in memory (same meaning as in the stores)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cascade.tmf.query import Condition, Scalar


def values_at(document: Any, segments: tuple[str, ...]) -> Iterator[Any]:
    """Every scalar reached by following `segments`, fanning out through arrays."""
    if isinstance(document, list):
        for element in document:
            yield from values_at(element, segments)
        return
    if not segments:
        yield document
        return
    if isinstance(document, dict) and segments[0] in document:
        yield from values_at(document[segments[0]], segments[1:])


def holds_value(document: Any, segments: tuple[str, ...]) -> bool:
    """Whether some value is at the path: a null is none, as an empty list holds none (the
    `present` operator, tmf/query.py)."""
    return any(value is not None for value in values_at(document, segments))


def compare(actual: Any, op: str, expected: Scalar) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        if op == "eq":
            return actual is expected
        if op == "ne":
            return actual is not expected
        return False
    if isinstance(expected, float):
        if not isinstance(actual, int | float):
            return op == "ne"
        left: Any = float(actual)
    else:
        if not isinstance(actual, str):
            return op == "ne"
        left = actual
    right: Any = expected
    return bool(
        {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
        }[op]
    )


def matches(document: Any, condition: Condition) -> bool:
    """True when some value at the path satisfies the condition (any value for arrays).

    `ne` means no value at the path equals any of the given values; `present` that there is
    (True) or is not (False) a value other than null at the path.
    """
    if condition.op == "present":
        return holds_value(document, condition.path.segments) is condition.values[0]
    found = list(values_at(document, condition.path.segments))
    if condition.op == "ne":
        return not any(compare(v, "eq", e) for v in found for e in condition.values)
    return any(compare(v, condition.op, e) for v in found for e in condition.values)


def matches_all(document: Any, conditions: tuple[Condition, ...]) -> bool:
    return all(matches(document, condition) for condition in conditions)
