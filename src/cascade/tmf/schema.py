"""A typed view of a swagger definition or a converted OAS 3 schema (tmf/oas3.py): which
attributes exist, their kinds and formats.

The view drives query validation (an unknown attribute is a 400), value parsing in filters
(numbers, booleans, instants), date-time normalisation on write, and `fields` checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cascade.tmf.oas3 import DISPATCH, parts

Kind = Literal["object", "array", "string", "number", "integer", "boolean", "any"]


@dataclass(eq=False)
class Shape:
    """The shape of one value in a TMF document (possibly recursive)."""

    kind: Kind
    format: str | None = None
    properties: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None

    @property
    def is_date_time(self) -> bool:
        return self.kind == "string" and self.format == "date-time"


class ShapeBuilder:
    """Builds `Shape`s from the `definitions` of a swagger 2.0 document, sharing recursive nodes."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self._definitions = definitions
        self._cache: dict[str, Shape] = {}

    def definition(self, name: str) -> Shape:
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        raw = self._definitions[name]
        shape = Shape(kind=_kind_of(raw, self._definitions))
        self._cache[name] = shape  # before filling in, so cycles resolve to this node
        self._fill(shape, raw)
        return shape

    def of(self, raw: dict[str, Any]) -> Shape:
        ref = raw.get("$ref")
        if isinstance(ref, str):
            return self.definition(ref.rsplit("/", 1)[-1])
        shape = Shape(kind=_kind_of(raw, self._definitions))
        self._fill(shape, raw)
        return shape

    def _fill(self, shape: Shape, raw: dict[str, Any]) -> None:
        shape.format = raw.get("format")
        for part in parts(raw):
            sub = self.of(part)
            shape.properties.update(sub.properties)
            if shape.kind == "any" and sub.kind != "any":
                shape.kind = sub.kind
        for target in raw.get(DISPATCH, {}).values():  # OAS 3 subclasses by `@type` (oas3.py)
            self._merge(shape, self.of({"$ref": target}))
        for part in (*raw.get("oneOf", []), *raw.get("x-alternatives", [])):
            self._merge(shape, self.of(part))
        for name, prop in raw.get("properties", {}).items():
            shape.properties[name] = self.of(prop)
        if "items" in raw:
            shape.items = self.of(raw["items"])

    @staticmethod
    def _merge(shape: Shape, alternative: Shape) -> None:
        """Add an alternative's attributes; one typed differently by two of them is `any`."""
        if shape.kind == "any" and alternative.kind == "object":
            shape.kind = "object"
        for name, prop in alternative.properties.items():
            known = shape.properties.get(name)
            if known is None:
                shape.properties[name] = prop
            elif known is not prop and known.kind != prop.kind:
                shape.properties[name] = Shape(kind="any")


def _kind_of(raw: dict[str, Any], definitions: dict[str, Any]) -> Kind:
    if "$ref" in raw:
        target = definitions[str(raw["$ref"]).rsplit("/", 1)[-1]]
        return _kind_of(target, definitions)
    declared = raw.get("type")
    if declared in ("object", "array", "string", "number", "integer", "boolean"):
        return declared  # type: ignore[no-any-return]
    if "properties" in raw or "allOf" in raw:
        return "object"
    if "enum" in raw:
        return "string"
    return "any"


@dataclass(frozen=True)
class ResolvedPath:
    """A dotted attribute path resolved against a shape."""

    segments: tuple[str, ...]
    leaf: Shape
    crosses_array: bool


def resolve_path(root: Shape, dotted: str) -> ResolvedPath | None:
    """Resolve `a.b.c` through objects and arrays; None if an attribute does not exist.

    Attributes of polymorphic or free-form values (kind `any`) are accepted below that point.
    """
    segments = tuple(dotted.split("."))
    node = root
    crosses_array = False
    for index, name in enumerate(segments):
        while node.kind == "array" and node.items is not None:
            node = node.items
            crosses_array = True
        if node.kind == "any":
            return ResolvedPath(segments, Shape(kind="any"), True)
        child = node.properties.get(name)
        if child is None or not name:
            return None
        node = child
        if index == len(segments) - 1 and node.kind == "array":
            crosses_array = True
    while node.kind == "array" and node.items is not None:
        node = node.items
    return ResolvedPath(segments, node, crosses_array)
