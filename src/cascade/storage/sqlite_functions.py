"""SQL functions registered on SQLite connections: filters on attributes without an index."""

from __future__ import annotations

import functools
import sqlite3
from typing import Any

import msgspec

from cascade.tmf.matching import compare, holds_value, values_at

_decode = msgspec.json.decode


@functools.lru_cache(maxsize=256)
def _parse_spec(spec: str) -> tuple[tuple[str, ...], str, tuple[Any, ...]]:
    segments, op, values = _decode(spec)
    return tuple(segments), op, tuple(values)


def tmf_match(doc: str | bytes, spec: str) -> int:
    """1 when the document satisfies the encoded condition `[segments, op, values]`."""
    segments, op, expected = _parse_spec(spec)
    document = _decode(doc)
    if op == "present":
        return int(holds_value(document, segments) is expected[0])
    found = list(values_at(document, segments))
    if op == "ne":
        return int(not any(compare(v, "eq", e) for v in found for e in expected))
    return int(any(compare(v, op, e) for v in found for e in expected))


def register_sqlite_functions(connection: sqlite3.Connection) -> None:
    connection.create_function("tmf_match", 2, tmf_match, deterministic=True)
