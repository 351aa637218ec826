"""Bounds on JSON request bodies beyond size and depth: array, object and string lengths.

The body size (413) and nesting depth are checked first (frontend/http.py); this walk refuses
arrays or objects with more than MAX_ITEMS members and strings (values or names) longer than
MAX_STRING, so no request can make Cascade index a hundred thousand terms or keep a megabyte
in one attribute. It visits each value once, iteratively (no recursion to exhaust), and only
when the raw body could break a bound at all: with fewer than MAX_ITEMS commas no array or
object can have more than MAX_ITEMS members, and a body shorter than MAX_STRING holds no
longer string. Most requests therefore cost one `bytes.count` (well under a microsecond for a
2 KB order). A NUL character, which no stored document may hold, is looked for the same way:
only in a body whose raw text spells `\\u0000`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cascade.tmf.errors import TmfError, bad_request

MAX_ITEMS = 1000
MAX_STRING = 20_000
MAX_NAME = 256


def check_body_bounds(raw: bytes, value: Any) -> None:
    """Check a decoded request body, walking it only when `raw` could exceed a bound or
    spell a NUL (JSON has no other way to put one in a string than `\\u0000`)."""
    if len(raw) > MAX_STRING or raw.count(b",") >= MAX_ITEMS:
        check_bounds(value)
    if b"\\u0000" in raw:
        refuse_nul(value)


def refuse_nul(value: Any) -> None:
    """A 400 for a NUL character in any string or attribute name: PostgreSQL's jsonb cannot
    hold one, and a stored document holding one fails every JSON filter on its kind."""
    pending = [value]
    while pending:
        current = pending.pop()
        texts: Iterable[Any] = ()
        if type(current) is dict:
            texts = current
            pending.extend(current.values())
        elif type(current) is list:
            pending.extend(current)
        elif type(current) is str:
            texts = (current,)
        if any("\x00" in text for text in texts):
            raise bad_request("A string or attribute name holds a NUL character (\\u0000)")


def _too_large(message: str) -> TmfError:
    return bad_request(message, "tooLarge")


def check_bounds(value: Any, max_items: int = MAX_ITEMS, max_string: int = MAX_STRING) -> None:
    """Raise a 400 `tooLarge` naming the first bound the document exceeds."""
    if type(value) is str and len(value) > max_string:
        raise _too_large(f"A string exceeds {max_string} characters")
    pending = [value]
    while pending:
        current = pending.pop()
        children: Iterable[Any]
        if type(current) is dict:
            if any(len(name) > MAX_NAME for name in current):
                raise _too_large(f"An attribute name exceeds {MAX_NAME} characters")
            children, what = current.values(), "An object has more than {} members"
        elif type(current) is list:
            children, what = current, "An array has more than {} items"
        else:
            continue
        if len(current) > max_items:
            raise _too_large(what.format(max_items))
        for child in children:
            kind = type(child)
            if kind is str:
                if len(child) > max_string:
                    raise _too_large(f"A string exceeds {max_string} characters")
            elif kind is dict or kind is list:
                pending.append(child)
