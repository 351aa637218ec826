"""`@type` everywhere: what a v5 answer names each object's class by, when the stored one
does not (it was written through v4, where `@type` is optional) or names a class the v5 file
does not know (v4 takes any name; a v5 reader refuses an unknown discriminator value).

The definitions are the converted ones of tmf/oas3.py: a dispatcher (`Characteristic`) names
its own class unless the value says a subclass; a `oneOf` by `@type` (`ProductRefOrValue`)
names its reference (`ProductRef`) for a value that holds only a reference's attributes, and
its value alternative (`Product`) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cascade.tmf.oas3 import BASE, DEFINITION_REF, DISPATCH, TYPE, parts

REFERENCE_ATTRIBUTES = frozenset(
    {"id", "href", "name", "@referredType", "@type", "@baseType", "@schemaLocation", "version"}
)


@dataclass(frozen=True)
class _Naming:
    """What `_chosen` needs of one definition, worked out once."""

    alternatives: bool  # a `oneOf` by `@type` (`ProductRefOrValue`)
    mapping: dict[str, str]
    known: frozenset[str]  # the `@type` names it accepts
    own: str  # its own class name
    value_alternative: str | None
    type_required: bool


class TypeNamer:
    """Fills in the missing `@type` of a document and of every object in it, in place."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self._properties: dict[str, dict[str, Any]] = {}
        self._required: dict[str, frozenset[str]] = {}
        self._namings: dict[str, _Naming] = {}
        self._children: dict[str, dict[str, tuple[str, int]]] = {}

    def fill(self, definition: str, value: Any) -> None:
        if isinstance(value, dict):
            self._fill_object(definition, value)
        elif isinstance(value, list):
            for element in value:
                self.fill(definition, element)

    def _fill_object(self, definition: str, value: dict[str, Any]) -> None:
        children = self._children_of(self._chosen(definition, value))
        for name, child in value.items():
            target = children.get(name)
            if target is not None:
                self._fill_child(target, child)

    def _fill_child(self, target: tuple[str, int], value: Any) -> None:
        """`target` is a definition and how many arrays deep its objects are."""
        definition, depth = target
        if depth == 0:
            self.fill(definition, value)
        elif isinstance(value, list):
            if depth == 1:
                for element in value:
                    if isinstance(element, dict):
                        self._fill_object(definition, element)
            else:
                for element in value:
                    self._fill_child((definition, depth - 1), element)

    def _children_of(self, definition: str) -> dict[str, tuple[str, int]]:
        """Its attributes that may hold an object: a `$ref`, or arrays of them."""
        known = self._children.get(definition)
        if known is None:
            known = {}
            for name, schema in self.properties(definition).items():
                target = _object_target(schema)
                if target is not None:
                    known[name] = target
            self._children[definition] = known
        return known

    def _naming(self, definition: str) -> _Naming:
        known = self._namings.get(definition)
        if known is None:
            raw = self.definitions[definition]
            mapping = _mapping_of(raw)
            known = self._namings[definition] = _Naming(
                alternatives="x-alternatives" in raw,
                mapping=mapping,
                known=frozenset(_type_names(raw, mapping)),
                own=definition.removesuffix(BASE),
                value_alternative=_value_alternative(mapping),
                type_required=TYPE in self.required(definition),
            )
        return known

    def _chosen(self, definition: str, value: dict[str, Any]) -> str:
        """The definition `value` is an instance of, its `@type` set if it had none."""
        naming = self._naming(definition)
        mapping = naming.mapping
        given = value.get(TYPE)
        if naming.alternatives:
            if not isinstance(given, str) or (mapping and given not in mapping):
                given = _alternative_for(mapping, value)
                value[TYPE] = given
            return mapping.get(given) or naming.value_alternative or definition
        if isinstance(given, str) and naming.own in naming.known and given not in naming.known:
            value[TYPE] = given = naming.own  # a v4 class v5 does not know: shown as its v5 class
        if isinstance(given, str):
            return mapping.get(given, definition)
        if naming.type_required:
            value[TYPE] = naming.own
        return definition

    def properties(self, definition: str) -> dict[str, Any]:
        """Its attributes and their schemas, `allOf` parts included (not `then` branches)."""
        known = self._properties.get(definition)
        if known is None:
            known = {}
            self._properties[definition] = known
            self._collect(self.definitions[definition], known, set())
        return known

    def required(self, definition: str) -> frozenset[str]:
        known = self._required.get(definition)
        if known is None:
            found: set[str] = set()
            self._collect_required(self.definitions[definition], found, set())
            known = self._required[definition] = frozenset(found)
        return known

    def _collect(self, raw: dict[str, Any], into: dict[str, Any], seen: set[str]) -> None:
        for part in parts(raw):
            ref = part.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                self._collect(self.definitions[ref.removeprefix(DEFINITION_REF)], into, seen)
            elif "then" not in part:
                self._collect(part, into, seen)
        into.update(raw.get("properties", {}))

    def _collect_required(self, raw: dict[str, Any], into: set[str], seen: set[str]) -> None:
        into.update(raw.get("required", ()))
        for part in parts(raw):
            ref = part.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                target = self.definitions[ref.removeprefix(DEFINITION_REF)]
                self._collect_required(target, into, seen)
            elif "then" not in part:
                self._collect_required(part, into, seen)


def _object_target(schema: dict[str, Any], depth: int = 0) -> tuple[str, int] | None:
    """The definition a property's objects are of, and how many arrays deep they are."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.removeprefix(DEFINITION_REF), depth
    items = schema.get("items")
    return _object_target(items, depth + 1) if isinstance(items, dict) else None


def _mapping_of(raw: dict[str, Any]) -> dict[str, str]:
    """A dispatcher's `@type` names and the definitions they choose."""
    return {key: ref.removeprefix(DEFINITION_REF) for key, ref in raw.get(DISPATCH, {}).items()}


def _type_names(raw: dict[str, Any], mapping: dict[str, str]) -> set[str]:
    """The `@type` names a definition accepts: its dispatcher's, or its own `enum`."""
    own = raw.get("properties", {}).get(TYPE, {}).get("enum", ())
    return set(mapping) | {name for name in own if isinstance(name, str)}


def _value_alternative(mapping: dict[str, str]) -> str | None:
    values = sorted({target for key, target in mapping.items() if not key.endswith("Ref")})
    return values[0] if len(values) == 1 else None


def _alternative_for(mapping: dict[str, str], value: dict[str, Any]) -> str:
    """A reference's name when the value holds only a reference's attributes; else a value's."""
    references = sorted(key for key in mapping if key.endswith("Ref"))
    values = sorted(key for key in mapping if not key.endswith("Ref"))
    if references and (set(value) <= REFERENCE_ATTRIBUTES or not values):
        return references[0]
    return values[0] if values else sorted(mapping)[0]
