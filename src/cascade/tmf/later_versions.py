"""What a later version of an API stores that the served earlier file does not define, read
from both files (docs/versions.md): the attributes of the later file's entity (and of the
objects in it, attribute by attribute) that the earlier definition lacks, each described as
the later file describes it. A v4 API's served description declares them as marked
extensions (`ApiSpec.extensions`), since its answers carry what a v5 client wrote.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from cascade.tmf.spec import load_swagger

Schemas = Mapping[str, Any]
Extensions = dict[str, dict[str, Any]]
Renames = Mapping[str, str | None]  # a later attribute -> the earlier one it is stored as


class LaterVersion(Mapping[str, Mapping[str, Any]]):
    """`{definition: {attribute: schema}}` for what `later_file` adds to `earlier_file`, read
    on first use. `entities` pairs the earlier file's entities with the later file's (`Catalog`:
    `ProductCatalog`); `stored_otherwise` names, per earlier definition, the later attributes
    stored under an earlier name (`Product`: `{"agreementItem": "agreement"}`) or not as
    they are (None); `added` is what is stored beyond both files (a view's own extension)."""

    def __init__(
        self,
        label: str,
        earlier_file: str,
        later_file: str,
        entities: Mapping[str, str],
        stored_otherwise: Mapping[str, Renames] | None = None,
        added: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.label = label
        self.earlier_file = earlier_file
        self.later_file = later_file
        self.entities = entities
        self.stored_otherwise = stored_otherwise or {}
        self.added = added or {}

    @cached_property
    def _found(self) -> Extensions:
        earlier = load_swagger(self.earlier_file)["definitions"]
        later = load_swagger(self.later_file)["components"]["schemas"]
        found = later_attributes(earlier, later, self.entities, self.stored_otherwise)
        described = {
            name: {k: _described(self.label, v) for k, v in attributes.items()}
            for name, attributes in found.items()
        }
        for name, attributes in self.added.items():
            described.setdefault(name, {}).update(attributes)
        return described

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return self._found[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)


def later_attributes(
    earlier: Schemas,
    later: Schemas,
    entities: Mapping[str, str],
    stored_otherwise: Mapping[str, Renames],
) -> Extensions:
    """The later attributes (their later schemas) each earlier definition lacks, walking both
    files from the paired entities (and the later ones' subclasses: `PhysicalResource`)
    through the attributes they share."""
    found: Extensions = {}
    todo, seen = list(entities.items()), set()
    for entity, later_entity in entities.items():  # and the later one's subclasses (`@type`)
        mapping = later.get(later_entity, {}).get("discriminator", {}).get("mapping", {})
        todo.extend((entity, str(ref).rsplit("/", 1)[-1]) for ref in mapping.values())
    while todo:
        pair = todo.pop()
        if pair in seen:
            continue
        seen.add(pair)
        mine, theirs = properties(earlier, pair[0]), properties(later, pair[1])
        renames = stored_otherwise.get(pair[0], {})
        for name, schema in theirs.items():
            stored = renames.get(name, name)
            if stored is None:
                continue
            if stored not in mine:
                found.setdefault(pair[0], {})[name] = schema
                continue
            targets = (target(mine[stored]), target(schema))
            if targets[0] and targets[1]:
                todo.append((targets[0], targets[1]))
    return found


def properties(schemas: Schemas, name: str) -> dict[str, Any]:
    """A definition's attributes, with those of what it extends (`allOf`) and, for a choice
    (`oneOf`: `ResourceRefOrValue`), of every alternative."""
    schema = schemas.get(name, {})
    found: dict[str, Any] = {}
    for part in (*schema.get("allOf", ()), *schema.get("oneOf", ())):
        name_of = target(part)
        found.update(properties(schemas, name_of) if name_of else part.get("properties", {}))
    found.update(schema.get("properties", {}))
    return found


def target(schema: Mapping[str, Any]) -> str | None:
    """The definition a schema, or the items of an array schema, refers to."""
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _described(label: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Described, not typed (v4 requests do not validate it: any value is kept as given)."""
    text = schema.get("description")
    name_of = target(schema)
    if not text and name_of:
        text = f"a {name_of}" if "items" not in schema else f"a list of {name_of}"
    return {"description": f"{label}: {text or 'as that file defines it'}"}
