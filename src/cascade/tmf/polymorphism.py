"""`@type` everywhere: what a v5 answer names each object's class by, when the stored one
does not (it was written through v4, where `@type` is optional) or names a class the v5 file
does not know (v4 takes any name; a v5 reader refuses an unknown discriminator value).

The definitions are the converted ones of tmf/oas3.py: a dispatcher (`Characteristic`) names
its own class unless the value says a subclass; a `oneOf` by `@type` (`ProductRefOrValue`)
names its reference (`ProductRef`) for a value that holds only a reference's attributes, and
its value alternative (`Product`) otherwise.
"""

from __future__ import annotations

from typing import Any

from cascade.tmf.oas3 import BASE, DEFINITION_REF, TYPE

REFERENCE_ATTRIBUTES = frozenset(
    {"id", "href", "name", "@referredType", "@type", "@baseType", "@schemaLocation", "version"}
)


class TypeNamer:
    """Fills in the missing `@type` of a document and of every object in it, in place."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self._properties: dict[str, dict[str, Any]] = {}
        self._required: dict[str, frozenset[str]] = {}

    def fill(self, definition: str, value: Any) -> None:
        if isinstance(value, list):
            for element in value:
                self.fill(definition, element)
            return
        if not isinstance(value, dict):
            return
        target = self._chosen(definition, value)
        for name, schema in self.properties(target).items():
            child = value.get(name)
            if child is not None:
                self._fill_node(schema, child)

    def _fill_node(self, schema: dict[str, Any], value: Any) -> None:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            self.fill(ref.removeprefix(DEFINITION_REF), value)
        elif isinstance(schema.get("items"), dict) and isinstance(value, list):
            for element in value:
                self._fill_node(schema["items"], element)

    def _chosen(self, definition: str, value: dict[str, Any]) -> str:
        """The definition `value` is an instance of, its `@type` set if it had none."""
        raw = self.definitions[definition]
        mapping = _mapping_of(raw)
        given = value.get(TYPE)
        if "x-alternatives" in raw:
            if not isinstance(given, str) or (mapping and given not in mapping):
                given = _alternative_for(mapping, value)
                value[TYPE] = given
            return mapping.get(given) or _value_alternative(mapping) or definition
        own = definition.removesuffix(BASE)
        known = _type_names(raw, mapping)
        if isinstance(given, str) and own in known and given not in known:
            value[TYPE] = given = own  # a v4 class v5 does not know: shown as its v5 class
        if isinstance(given, str):
            return mapping.get(given, definition)
        if TYPE in self.required(definition):
            value[TYPE] = definition.removesuffix(BASE)
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
        for part in raw.get("allOf", []):
            ref = part.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                self._collect(self.definitions[ref.removeprefix(DEFINITION_REF)], into, seen)
            elif "then" not in part:
                self._collect(part, into, seen)
        into.update(raw.get("properties", {}))

    def _collect_required(self, raw: dict[str, Any], into: set[str], seen: set[str]) -> None:
        into.update(raw.get("required", ()))
        for part in raw.get("allOf", []):
            ref = part.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                target = self.definitions[ref.removeprefix(DEFINITION_REF)]
                self._collect_required(target, into, seen)
            elif "then" not in part:
                self._collect_required(part, into, seen)


def _mapping_of(raw: dict[str, Any]) -> dict[str, str]:
    """A dispatcher's `@type` names and the definitions they choose."""
    mapping: dict[str, str] = {}
    for part in raw.get("allOf", []):
        chosen = part.get("if", {}).get("properties", {}).get(TYPE, {}).get("const")
        then = part.get("then", {}).get("$ref")
        if isinstance(chosen, str) and isinstance(then, str):
            mapping[chosen] = then.removeprefix(DEFINITION_REF)
    return mapping


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
