"""What a v5 class can hold, read from its file, for the walk that shows a stored document in
v5 (tmf/polymorphism.py, ADR 0040): the attributes it requires, the values it lists, the JSON
types it gives. A check is looked at only where the earlier file (v4), which the documents
are stored valid against, does not already hold them to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from cascade.tmf.later_versions import properties

Check = tuple[str, int, Any]  # (attribute, what is checked, against what)
_ABSENT = object()
_NEEDED, _LISTED, _ENTRIES_LISTED, _TYPED = range(4)
_JSON_TYPES = frozenset({"string", "integer", "number", "boolean"})


def value_checks(
    definitions: dict[str, Any],
    earlier: EarlierFile,
    name: str,
    attributes: Sequence[tuple[str, Any]],
    needs: Sequence[str],
) -> tuple[Check, ...]:
    """The checks of a class's objects: its values first (one left out may be needed), then
    what it requires (`needs`)."""
    listed_values = [
        (attribute, _LISTED, listed)
        for attribute, schema in attributes
        if (listed := _listed(definitions, schema)) is not None
        and not earlier.lists_within(name, attribute, listed)
    ]
    listed_entries = [
        (attribute, _ENTRIES_LISTED, listed)
        for attribute, schema in attributes
        if (listed := _listed(definitions, _items(definitions, schema))) is not None
        and not earlier.lists_within(name, attribute, listed, items=True)
    ]
    typed = [
        (attribute, _TYPED, kind)
        for attribute, schema in attributes
        if (kind := _typed(definitions, schema)) is not None
        and earlier.json_type(name, attribute) != kind.rstrip("?")
    ]
    needed = [(attribute, _NEEDED, None) for attribute in needs]
    return (*listed_values, *listed_entries, *typed, *needed)


def holdable(checks: tuple[Check, ...], value: dict[str, Any]) -> bool:
    """Whether the object has what its class requires, once the values its class does not
    list or type so are left out."""
    for name, check, argument in checks:
        held = value.get(name, _ABSENT)
        if held is _ABSENT:
            if check == _NEEDED:
                return False
        elif check == _LISTED:
            if not _listed_value(held, argument):
                del value[name]
        elif check == _TYPED:
            if not _of_type(held, argument):
                del value[name]
        elif check == _ENTRIES_LISTED and not _all_listed(held, argument):
            if held.__class__ is list:
                value[name] = [each for each in held if _listed_value(each, argument)]
            else:
                del value[name]
    return True


def _listed_value(held: Any, listed: frozenset[str | None]) -> bool:
    return (held is None or held.__class__ is str) and held in listed


def _all_listed(held: Any, listed: frozenset[str | None]) -> bool:
    return held.__class__ is list and all(_listed_value(each, listed) for each in held)


def _of_type(held: Any, kind: str) -> bool:
    """Whether a value is of a JSON type (a whole float counts as an integer, as in JSON;
    `integer?`: null too)."""
    cls = held.__class__
    if held is None:
        return kind.endswith("?")
    kind = kind.rstrip("?")
    if kind == "string":
        return cls is str
    if kind == "boolean":
        return cls is bool
    if kind == "integer":
        return cls is int or (cls is float and held.is_integer())
    return cls is int or cls is float


def _declared(definitions: dict[str, Any], schema: Any) -> tuple[dict[str, Any], bool]:
    """A property's schema, its `$ref` followed, and whether it is nullable (tmf/oas3.py's
    `anyOf` with null)."""
    if not isinstance(schema, dict):
        return {}, False
    nullable = False
    for part in schema.get("anyOf", ()):
        if isinstance(part, dict) and part.get("type") == "null":
            nullable = True
        else:
            schema = part
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str):
        schema = definitions.get(ref.rsplit("/", 1)[-1], {})
    return (schema if isinstance(schema, dict) else {}), nullable


def _listed(definitions: dict[str, Any], schema: Any) -> frozenset[str | None] | None:
    """The string values a schema lists (None among them if it is nullable), or None."""
    declared, nullable = _declared(definitions, schema)
    listed = declared.get("enum")
    if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
        return None
    return frozenset([*listed, None] if nullable else listed)


def _items(definitions: dict[str, Any], schema: Any) -> Any:
    """An array schema's items (None if it is not an array)."""
    declared, _ = _declared(definitions, schema)
    return declared.get("items") if declared.get("type") == "array" else None


def _typed(definitions: dict[str, Any], schema: Any) -> str | None:
    """A schema's JSON type, when it is one of `_JSON_TYPES` and lists no values (`integer?`
    when it is nullable)."""
    declared, nullable = _declared(definitions, schema)
    kind = declared.get("type")
    if kind not in _JSON_TYPES or "enum" in declared:
        return None
    return f"{kind}?" if nullable else str(kind)


class EarlierFile:
    """What the earlier file (v4) holds a definition's documents to, which are stored valid
    against it: the values it lists, the JSON types it gives."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions

    def lists_within(
        self, name: str, attribute: str, listed: frozenset[str | None], items: bool = False
    ) -> bool:
        """Whether its values (its entries', `items`) are all among `listed`."""
        schema = self._property(name, attribute)
        if items:
            schema = _items(self.definitions, schema)
        held = _listed(self.definitions, schema)
        return held is not None and held <= listed

    def json_type(self, name: str, attribute: str) -> str | None:
        """The JSON type its definition of that name gives the attribute, or else the one
        every definition declaring an attribute of that name gives it (a v5 class with no
        v4 namesake, `StringCharacteristic`, holds what v4's `Characteristic` held)."""
        if name in self.definitions:
            typed = _typed(self.definitions, self._property(name, attribute))
            return typed.rstrip("?") if typed is not None else None
        return self._uniform_types.get(attribute)

    @cached_property
    def _uniform_types(self) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for name in self.definitions:
            for attribute, schema in properties(self.definitions, name).items():
                typed = _typed(self.definitions, schema)
                kind = typed.rstrip("?") if typed is not None else None
                found[attribute] = kind if found.get(attribute, kind) == kind else None
        return found

    def _property(self, name: str, attribute: str) -> Any:
        if name not in self.definitions:
            return None
        return properties(self.definitions, name).get(attribute)
