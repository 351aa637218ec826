"""JSON Patch Query (`application/json-patch-query+json`, TMF630 Part 5, listed for PATCH by
the v5 files): JSON Patch whose `path` may select array elements by their attributes instead
of their index. Each operation is resolved against the document the earlier ones left into
plain JSON Patch operations, one per element selected (tmf/patching.py applies them).

Two spellings of a path, both of the v5 files' and TMF630's examples:

- a query after the path: `/productCharacteristic/value?id=Char5`,
  `/productOrderItem/billingAccount/id?productOrderItem.id=120`, `/relatedParty?role=vendor`.
  A condition (`&` between several) is an attribute of the elements of an array on the path:
  the one its first name names (`productOrderItem.id`), else the deepest array on the path
  (`id` of `productCharacteristic`), else the document itself (`/lifecycleStatus?version=1.0`).
- filters in the path, JSONPath-like: `/productCharacteristic[?(@.name=='speed')]/value`, or
  `$.productCharacteristic[?(@.name=='speed')].value`; `&&` between conditions.

A value compares as text (`id=120` selects `"120"` and `120`); quotes around it are dropped.
A path ending at an array selected by a condition names the selected elements (`remove
/relatedParty?role=vendor` removes each vendor). A path that selects nothing, or does not
parse, is a 400 that changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cascade.tmf.errors import bad_request

MAX_PATH = 1000  # characters: a query is evaluated on every element it passes
_FILTER = re.compile(r"^(?P<name>[^\[\]]*)\[\?\((?P<conditions>.*)\)\]$")
_CONDITION = re.compile(r"^@\.(?P<attribute>[^=!<>\s]+)\s*==\s*(?P<value>.+)$")

Condition = tuple[tuple[str, ...], str]  # a dotted attribute of the element, and its text


@dataclass
class Segment:
    name: str
    conditions: list[Condition] = field(default_factory=list)


def expand(operation: dict[str, Any], document: Any) -> list[dict[str, Any]]:
    """The JSON Patch operations one JSON Patch Query operation means on `document`."""
    if isinstance(operation.get("from"), str) and _is_query(operation["from"]):
        raise _invalid(operation["from"], "a query in 'from' is not supported")
    pointers = resolve(operation["path"], document)
    if operation["op"] == "remove":
        pointers.reverse()  # later elements first: earlier indexes stay right
    return [{**operation, "path": pointer} for pointer in pointers]


def resolve(path: str, document: Any) -> list[str]:
    """The JSON Pointers `path` selects in `document` (a plain pointer: itself)."""
    if not _is_query(path):
        return [path]
    if len(path) > MAX_PATH:
        raise _invalid(path[:80] + "...", f"longer than {MAX_PATH} characters")
    segments, loose = _parse(path)
    found = _walk(segments, document, loose)
    if not found:
        raise _invalid(path, "it selects nothing in this document")
    return found


def _is_query(path: str) -> bool:
    return "?" in path or path.startswith("$")


def first_attribute(path: str) -> str:
    """The first-level attribute a path (query or pointer) changes."""
    if path.startswith("$"):
        names = _split(path[1:], ".")
        first = names[1] if len(names) > 1 else ""
    else:
        names = _split(_split(path, "?")[0], "/")
        first = _unescape(names[1]) if len(names) > 1 else ""
    return first.split("[", 1)[0]


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside `[...]` and quotes (a filter may hold either)."""
    parts, depth, quote, current = [], 0, "", ""
    for character in text:
        if quote:
            quote = "" if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character in "[]":
            depth += 1 if character == "[" else -1
        elif character == separator and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += character
    parts.append(current)
    return parts


def _parse(path: str) -> tuple[list[Segment], list[Condition]]:
    """The segments with their filters, and the conditions a trailing query gives (placed
    on their array by `_place`)."""
    if path.startswith("$"):
        base, query = path, ""
    else:
        base, *rest = _split(path, "?")
        query = "?".join(rest)
    names = _split_dollar(base, path) if base.startswith("$") else _split_slash(base, path)
    segments = [_segment(name, path) for name in names]
    pending = [_condition(text, path, query=True) for text in query.split("&") if text]
    return segments, _place(segments, pending)


def _split_slash(base: str, path: str) -> list[str]:
    if not base.startswith("/"):
        raise _invalid(path, "it must start with '/' or '$'")
    return [_unescape(name) for name in _split(base[1:], "/")]


def _split_dollar(base: str, path: str) -> list[str]:
    """`$.a[?(@.b=='x')].c` -> `a[?(@.b=='x')]`, `c` (dots inside a filter kept)."""
    first, *names = _split(base[1:], ".")
    if first or not names or any(not n for n in names):
        raise _invalid(path, "it is not a JSONPath the server can resolve")
    return names


def _segment(text: str, path: str) -> Segment:
    matched = _FILTER.match(text)
    if matched is None:
        if "[" in text or "]" in text or not text:
            raise _invalid(path, f"'{text}' is not an attribute name or a filter")
        return Segment(text)
    parts = matched["conditions"].split("&&")
    return Segment(matched["name"], [_condition(p.strip(), path) for p in parts])


def _condition(text: str, path: str, *, query: bool = False) -> Condition:
    if query:
        attribute, equals, value = text.partition("=")
        if not equals or not attribute:
            raise _invalid(path, f"'{text}' is not attribute=value")
    else:
        matched = _CONDITION.match(text)
        if matched is None:
            raise _invalid(path, f"'{text}' is not @.attribute==value")
        attribute, value = matched["attribute"], matched["value"]
    return tuple(attribute.strip().split(".")), _unquote(value.strip())


def _place(segments: list[Segment], pending: list[Condition]) -> list[Condition]:
    """Put each query condition on the segment its first name names; return the unprefixed
    ones (placed on the deepest array when walking, else on the document)."""
    unplaced = []
    for attribute, value in pending:
        named = [s for s in segments[:-1] if s.name == attribute[0]] if len(attribute) > 1 else []
        if not named and len(attribute) > 1 and segments[-1].name == attribute[0]:
            named = [segments[-1]]
        if named:
            named[-1].conditions.append((attribute[1:], value))
        else:
            unplaced.append((attribute, value))
    return unplaced


def _walk(segments: list[Segment], document: Any, loose: list[Condition]) -> list[str]:
    """Every pointer the segments reach; `loose` conditions go to the deepest array met."""
    if loose:
        arrays = _array_segments(segments, document)
        if arrays:
            arrays[-1].conditions.extend(loose)
        elif not all(_holds(document, c) for c in loose):
            return []
    nodes: list[tuple[str, Any]] = [("", document)]
    for number, segment in enumerate(segments):
        last = number == len(segments) - 1
        reached: list[tuple[str, Any]] = []
        for pointer, node in nodes:
            if not isinstance(node, dict) or (segment.name not in node and not last):
                continue
            here = f"{pointer}/{_escape(segment.name)}"
            child = node.get(segment.name)
            if isinstance(child, list) and (segment.conditions or not last):
                reached.extend(
                    (f"{here}/{index}", element)
                    for index, element in enumerate(child)
                    if all(_holds(element, c) for c in segment.conditions)
                )
            elif not segment.conditions:
                reached.append((here, child))
        nodes = reached
    return [pointer for pointer, _ in nodes]


def _array_segments(segments: list[Segment], document: Any) -> list[Segment]:
    """The segments that are arrays in `document` (on any of the walked elements)."""
    found: list[Segment] = []
    nodes = [document]
    for segment in segments:
        children = [n.get(segment.name) for n in nodes if isinstance(n, dict)]
        if any(isinstance(c, list) for c in children):
            found.append(segment)
        nodes = [e for c in children for e in (c if isinstance(c, list) else [c])]
    return found


def _holds(element: Any, condition: Condition) -> bool:
    attribute, expected = condition
    values = [element]
    for name in attribute:
        values = [v.get(name) for v in values if isinstance(v, dict)]
        values = [e for v in values for e in (v if isinstance(v, list) else [v])]
    return any(_text(v) == expected for v in values if v is not None)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _unescape(name: str) -> str:
    return name.replace("~1", "/").replace("~0", "~")


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _invalid(path: str, why: str) -> Exception:
    return bad_request(f"JSON Patch Query path '{path}' cannot be resolved: {why}", "invalidPatch")
