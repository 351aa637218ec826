"""Translations every v5 view shares: related parties and places, external identifiers,
typed characteristics. Each pair is `x_to_stored` (v5 -> stored, the v4 form plus marked
extensions) and `x_from_stored` (stored -> v5); docs/versions.md is the table."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]
REF = ("id", "href", "name", "@referredType")
_REF_NAMES = frozenset(REF)
# What a v5 party reference holds beyond a v4 RelatedParty: kept in the stored entry as the
# extension `partyOrPartyRole` (only when there is something beyond `@type: PartyRef`).
PARTY_EXTRA = "partyOrPartyRole"
EXTERNAL_IDENTIFIER = "externalIdentifier"  # extension: the whole v5 `externalId` array
# v5 filter paths (prefixes) stored elsewhere, shared by the views: a related party's and a
# place's reference is flat in the stored entry.
RELATED_PATHS = {
    "relatedParty.partyOrPartyRole.": "relatedParty.",
    "place.place.": "place.",
}


def related_to_stored(entries: Any, inner: str, v4_type: str, ref_type: str) -> Any:
    """v5 `{role, partyOrPartyRole: {id, ...}}` entries as v4 `{role, id, ...}` ones; what
    the reference says beyond a v4 entry (a `PartyRoleRef`'s `partyId`) is kept beside."""
    if not isinstance(entries, list):
        return entries
    stored = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get(inner), dict):
            stored.append(entry)
            continue
        target = dict(entry[inner])
        flat: Doc = {k: v for k, v in entry.items() if k not in (inner, "@type")}
        flat.update((k, target.pop(k)) for k in REF if k in target)
        if v4_type == "RelatedParty":  # v4 requires it; v5 leaves it optional
            referred = str(target.get("@type", ref_type)).removesuffix("Ref")
            flat.setdefault("@referredType", referred)
        flat["@type"] = v4_type
        if set(target) - {"@type"} or target.get("@type", ref_type) != ref_type:
            flat[PARTY_EXTRA if inner == "partyOrPartyRole" else inner] = target
        stored.append(flat)
    return stored


def related_from_stored(entries: Any, inner: str, v5_type: str, ref_type: str) -> Any:
    """Stored `{role, id, ...}` entries as v5 `{role, <inner>: {id, ...}}` ones."""
    if entries.__class__ is not list:
        return entries
    extra_name = PARTY_EXTRA if inner == "partyOrPartyRole" else inner
    shown = []
    for entry in entries:
        if entry.__class__ is not dict or "id" not in entry:  # not a stored (v4) entry
            shown.append(entry)
            continue
        extra = entry.get(extra_name)
        target: Doc = dict(extra) if extra.__class__ is dict else {}
        rest: Doc = {}
        for key, value in entry.items():
            if key in _REF_NAMES:
                target[key] = value
            elif key not in ("@type", extra_name):
                rest[key] = value
        if "@type" not in target:
            target["@type"] = ref_type
        rest[inner] = target
        rest["@type"] = v5_type
        shown.append(rest)
    return shown


def external_id_to_stored(document: Doc) -> None:
    """v5 `externalId` (identifiers) -> v4 `externalId` (the first id) + the whole list kept."""
    given = document.get("externalId")
    if not isinstance(given, list):
        return
    first = given[0] if given and isinstance(given[0], dict) else None
    if first is not None and isinstance(first.get("id"), str):
        document["externalId"] = first["id"]
    else:
        document.pop("externalId")
    document[EXTERNAL_IDENTIFIER] = given


def external_id_from_stored(document: Doc) -> None:
    kept = document.pop(EXTERNAL_IDENTIFIER, None)
    current = document.get("externalId")
    if (
        isinstance(kept, list)
        and kept
        and isinstance(kept[0], dict)
        and kept[0].get("id") == current
    ):
        document["externalId"] = kept
        return
    if isinstance(current, str):
        document["externalId"] = [{"@type": "ExternalIdentifier", "id": current}]
    else:
        document.pop("externalId", None)


def typed_characteristics(characteristics: Any) -> Any:
    """v4 characteristics (value of any type) with the v5 subclass their value is, as
    `@type`, when they name none (or the base `Characteristic`); set in place."""
    if characteristics.__class__ is not list:
        return characteristics
    for given in characteristics:
        if given.__class__ is dict and given.get("@type") in (None, "Characteristic"):
            given["@type"] = f"{value_type(given.get('value'))}Characteristic"
    return characteristics


# The v5 characteristic class of a scalar value, by its Python class (bool before int).
_SCALAR_TYPES = {bool: "Boolean", int: "Integer", float: "Number", str: "String", dict: "Object"}


def value_type(value: Any) -> str:
    """The v5 characteristic class of a value: String, Integer, Number, Boolean, Object,
    or their Array; the base class for a mixed or empty list or a null."""
    scalar = _SCALAR_TYPES.get(value.__class__)  # a decoded document holds no subclasses
    if scalar is not None:
        return scalar
    if isinstance(value, list):
        kinds = {value_type(element) for element in value}
        single = kinds.pop() if len(kinds) == 1 else ""
        return f"{single}Array" if single and not single.endswith("Array") else ""
    return ""


def relationship_to_stored(relationship: Any) -> Any:
    """v5 `{id, href, relationshipType}` -> v4 `{product: {id, href}, relationshipType}`."""
    if not isinstance(relationship, dict) or "product" in relationship:
        return relationship
    target = {
        k: relationship[k] for k in ("id", "href", "name", "@referredType") if k in relationship
    }
    rest = {k: v for k, v in relationship.items() if k not in target and k != "@type"}
    return {**rest, "product": target}


def relationship_from_stored(relationship: Any) -> Any:
    if not isinstance(relationship, dict) or not isinstance(relationship.get("product"), dict):
        return relationship
    target = relationship["product"]
    rest = {k: v for k, v in relationship.items() if k != "product"}
    named = {k: target[k] for k in ("id", "href", "name", "@referredType") if k in target}
    return {**rest, **named, "@type": "ProductRelationship"}
