"""OpenAPI 3.0 schemas (the TMF v5 files) as JSON Schema definitions a validator compiles.

OAS 3.0 is not JSON Schema: `nullable` widens a type to null, and a `discriminator` picks the
schema that validates a value by its `@type`. Both are rewritten here, once per file:

- `$ref: '#/components/schemas/X'` becomes `#/definitions/X`;
- `nullable: true` becomes `anyOf: [{type: null}, <the schema>]`;
- a schema with a discriminator (`Characteristic`, `ProductRefOrValue_FVO`) becomes a
  dispatcher: when `@type` names an entry of the mapping, the value is validated against that
  entry's schema (`StringCharacteristic`: its `value` must be a string); `x-dispatch` lists
  the names and their definitions for the readers (tmf/schema.py, tmf/polymorphism.py), and
  `x-dispatch-base` the base when only the dispatch refers to it. The schema's own body
  moves to `X__base`, and the subclasses' `allOf` point there, so dispatching never loops.
  A `oneOf` of alternatives (`ProductRefOrValue`: `Product` or `ProductRef`) requires
  `@type`, since without it nothing tells the alternatives apart.
- `@type` must be a name of the mapping: a class the file does not define cannot be
  validated, and OpenAPI 3.0 reads a name outside the mapping as the name of a schema of the
  file. So the file's own example `"@type": "UNI"` for a product is refused (docs/versions.md).
"""

from __future__ import annotations

from typing import Any

COMPONENT_REF = "#/components/schemas/"
DEFINITION_REF = "#/definitions/"
BASE = "__base"
TYPE = "@type"
DISPATCH = "x-dispatch"  # a dispatcher's `@type` names and the definitions they choose
DISPATCH_BASE = "x-dispatch-base"  # a dispatcher's base, when only its `if` tree refers to it


def parts(raw: dict[str, Any]) -> list[Any]:
    """A definition's `allOf` parts for a reader: its dispatcher's base included."""
    base = raw.get(DISPATCH_BASE)
    return [*raw.get("allOf", ()), base] if base else list(raw.get("allOf", ()))


def to_definitions(schemas: dict[str, Any]) -> dict[str, Any]:
    """The `components.schemas` of an OAS 3.0 document as JSON Schema (draft 7) definitions."""
    discriminated = {name for name, raw in schemas.items() if _mapping(raw)}
    result: dict[str, Any] = {}
    for name, raw in schemas.items():
        body = _convert(raw, discriminated)
        mapping = _mapping(raw)
        if not mapping:
            result[name] = body
            continue
        body.pop("discriminator", None)
        if "oneOf" in body:
            result[name] = _alternatives(body, mapping)
            continue
        result[f"{name}{BASE}"] = body
        result[name] = _dispatcher(name, mapping, _all_extend(schemas, name, mapping))
    return result


def _mapping(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    discriminator = raw.get("discriminator")
    if not isinstance(discriminator, dict) or discriminator.get("propertyName") != TYPE:
        return {}
    mapping = discriminator.get("mapping") or {}
    return {key: str(ref).removeprefix(COMPONENT_REF) for key, ref in mapping.items()}


def _convert(raw: Any, discriminated: set[str], *, in_all_of: bool = False) -> Any:
    """One schema node rewritten: refs, nullable; `allOf` refs to a dispatcher go to its base."""
    if isinstance(raw, list):
        return [_convert(item, discriminated, in_all_of=in_all_of) for item in raw]
    if not isinstance(raw, dict):
        return raw
    ref = raw.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENT_REF):
        target = ref.removeprefix(COMPONENT_REF)
        if in_all_of and target in discriminated:
            target = f"{target}{BASE}"
        return {"$ref": f"{DEFINITION_REF}{target}"}
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("example", "examples", "nullable", "xml", "externalDocs"):
            continue
        if key == "properties" and isinstance(value, dict):
            result[key] = {k: _convert(v, discriminated) for k, v in value.items()}
        else:
            result[key] = _convert(value, discriminated, in_all_of=key == "allOf")
    if raw.get("nullable") is True:
        return {"anyOf": [{"type": "null"}, result]}
    return result


def _all_extend(schemas: dict[str, Any], name: str, mapping: dict[str, str]) -> bool:
    """Whether every subclass of the mapping names `name` in its own `allOf`."""
    base = {"$ref": f"{COMPONENT_REF}{name}"}
    return all(
        base in schemas.get(target, {}).get("allOf", ())
        for target in mapping.values()
        if target != name
    )


def _dispatcher(name: str, mapping: dict[str, str], extended: bool) -> dict[str, Any]:
    """Validate against the subclass `@type` names, or the base when it names none. A
    subclass validates the base itself when it extends it (`extended`): the base is then
    not validated twice."""
    subclasses = sorted((k, t) for k, t in mapping.items() if t != name)
    base = {"$ref": f"{DEFINITION_REF}{name}{BASE}"}
    dispatched: dict[str, Any] = {
        "properties": {TYPE: {"type": "string", "enum": sorted(mapping)}},
        DISPATCH: {key: f"{DEFINITION_REF}{target}" for key, target in subclasses},
    }
    if not subclasses:
        dispatched["allOf"] = [base]
    elif extended:
        dispatched["allOf"] = [_choice(subclasses, base)]
        dispatched[DISPATCH_BASE] = base
    else:
        dispatched["allOf"] = [base, _choice(subclasses)]
    return dispatched


def _alternatives(body: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """A `oneOf` by `@type`: the alternative `@type` names, which must be one of the mapping."""
    return {
        "type": "object",
        "required": [TYPE],
        "properties": {TYPE: {"type": "string", "enum": sorted(mapping)}},
        "allOf": [_choice(sorted(mapping.items()))],
        DISPATCH: {key: f"{DEFINITION_REF}{target}" for key, target in sorted(mapping.items())},
        # The attributes of every alternative, for the typed view (filters, `fields`).
        "x-alternatives": list(body.get("oneOf", [])),
    }


def _choice(
    entries: list[tuple[str, str]], otherwise: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`if @type is K then <K's schema>`, as a halving tree of `if`/`then`/`else`: a
    validator tries an `if` by raising when it fails, so a flat list of one `if` per class
    cost a dozen exceptions per characteristic; the tree costs two or three. `otherwise`
    validates a value whose `@type` names none of them."""
    if len(entries) == 1:
        key, target = entries[0]
        leaf = {
            "if": {"properties": {TYPE: {"const": key}}, "required": [TYPE]},
            "then": {"$ref": f"{DEFINITION_REF}{target}"},
        }
        return leaf if otherwise is None else {**leaf, "else": otherwise}
    half = len(entries) // 2
    return {
        "if": {"properties": {TYPE: {"enum": [k for k, _ in entries[:half]]}}, "required": [TYPE]},
        "then": _choice(entries[:half], otherwise),
        "else": _choice(entries[half:], otherwise),
    }
