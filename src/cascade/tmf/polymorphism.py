"""`@type` everywhere: what a v5 answer names each object's class by, when the stored one
does not (it was written through v4, where `@type` is optional) or names a class the v5 file
does not know (v4 takes any name; a v5 reader refuses an unknown discriminator value).

The definitions are the converted ones of tmf/oas3.py: a dispatcher (`Characteristic`) names
its own class unless the value says a subclass; a `oneOf` by `@type` (`ProductRefOrValue`)
names its reference (`ProductRef`) for a value that holds only a reference's attributes, and
its value alternative (`Product`) otherwise.

What the v5 class cannot hold is left out (docs/versions.md, "What is lost where"): v4 takes
an object without what its v5 class requires (a `productRelationship` with no `id`) and any
string where v5 lists the values (`orderItemAction: "Add"`). Such a value is not shown, and an
object without what its class requires is not shown in its array or its parent: a v5 reader
gets a valid answer without them rather than an answer it must refuse whole (the checks:
tmf/holdable.py; ADR 0040).
"""

from __future__ import annotations

from typing import Any

from cascade.tmf.holdable import Check, EarlierFile, holdable, value_checks
from cascade.tmf.oas3 import BASE, DEFINITION_REF, DISPATCH, TYPE, parts

REFERENCE_ATTRIBUTES = frozenset(
    {"id", "href", "name", "@referredType", "@type", "@baseType", "@schemaLocation", "version"}
)


class _Plan:
    """One definition, worked out once: how `_chosen` names its objects, and which of its
    attributes may hold objects (`children`: the plan of their objects and how many arrays
    deep they are). Plans point at each other, so a walk looks nothing up by name."""

    __slots__ = (
        "alternatives",
        "checks",
        "children",
        "definition",
        "guard_unknown",
        "known",
        "mapping",
        "needs",
        "own",
        "reference_name",
        "reference_needs",
        "type_required",
        "value_alternative",
        "value_name",
    )

    def __init__(self, definition: str) -> None:
        self.definition = definition
        self.children: dict[str, tuple[_Plan, int]] | None = None  # set on first use
        self.alternatives = False  # a `oneOf` by `@type` (`ProductRefOrValue`)
        self.mapping: dict[str, _Plan] = {}  # `@type` name -> the plan it chooses
        self.known: frozenset[str] = frozenset()  # the `@type` names it accepts
        self.own = definition.removesuffix(BASE)  # its own class name
        self.guard_unknown = False  # replace a `@type` it does not know by `own`
        self.value_alternative: _Plan | None = None
        self.type_required = False
        self.needs: tuple[str, ...] = ()  # what it requires besides `@type`
        # What a walk looks at in its objects (`holdable`): (attribute, check, argument).
        self.checks: tuple[Check, ...] = ()
        # A `oneOf`'s reference's `needs`: a value lacking them is the value alternative.
        self.reference_needs: frozenset[str] = frozenset()
        # A `oneOf`'s names for a value without a known `@type` (`_alternative_for`): a
        # reference's (None: it has none), and a value's.
        self.reference_name: str | None = None
        self.value_name = ""


class TypeNamer:
    """Fills in the missing `@type` of a document and of every object in it, in place."""

    def __init__(self, definitions: dict[str, Any], earlier: dict[str, Any] | None = None) -> None:
        """`earlier`: the definitions of the file the documents are stored as (v4); what
        a definition of the same name there already holds to is not looked at again."""
        self.definitions = definitions
        self.earlier = EarlierFile(earlier or {})
        self._properties: dict[str, dict[str, Any]] = {}
        self._required: dict[str, frozenset[str]] = {}
        self._plans: dict[str, _Plan] = {}

    def fill(self, definition: str, value: Any) -> None:
        self._fill(self._plan(definition), value, 0)

    def _fill(self, plan: _Plan, value: Any, depth: int) -> bool:
        """`depth`: how many arrays deep `plan`'s objects are below `value`. False: `value`
        is an object its class cannot hold (its array keeps none such)."""
        if value.__class__ is list:
            shown = [self._fill(plan, element, depth - 1 if depth else 0) for element in value]
            if not all(shown):
                value[:] = [each for each, keep in zip(value, shown, strict=True) if keep]
        elif depth == 0 and value.__class__ is dict:
            return self._fill_object(plan, value)
        return True

    def _fill_object(self, plan: _Plan, value: dict[str, Any]) -> bool:
        """False: its class cannot hold it. One walk, inlined: every v5 answer runs it."""
        chosen = _chosen(plan, value)
        children = chosen.children
        if children is None:
            children = self._children_of(chosen)
        unshown: list[str] | None = None
        for name, child in value.items():
            target = children.get(name)
            if target is None:
                continue
            kind = child.__class__
            if kind is dict:
                if target[1] == 0 and not self._fill_object(target[0], child):
                    unshown = [name] if unshown is None else [*unshown, name]
            elif kind is list:
                if target[1] != 1:
                    self._fill(target[0], child, target[1])
                    continue
                shown = True  # the common case, an array of objects: walked here
                for element in child:
                    if element.__class__ is dict and not self._fill_object(target[0], element):
                        shown = False
                if not shown:
                    _keep_shown(target[0], child)
        if unshown is not None:
            for name in unshown:
                del value[name]
        return not chosen.checks or holdable(chosen.checks, value)

    def _plan(self, definition: str) -> _Plan:
        plan = self._plans.get(definition)
        if plan is None:
            plan = self._plans[definition] = _Plan(definition)
            raw = self.definitions[definition]
            mapping = _mapping_of(raw)
            plan.alternatives = "x-alternatives" in raw
            plan.mapping = {name: self._plan(target) for name, target in mapping.items()}
            plan.known = frozenset(_type_names(raw, mapping))
            plan.guard_unknown = not plan.alternatives and plan.own in plan.known
            alternative = _value_alternative(mapping)
            plan.value_alternative = self._plan(alternative) if alternative else None
            plan.reference_name, plan.value_name = _alternative_names(mapping)
            required = self.required(definition)
            plan.type_required = TYPE in required
            reference = plan.mapping.get(plan.reference_name or "")
            if reference is not None:
                plan.reference_needs = frozenset(reference.needs)
            self._checks(plan, required)
        return plan

    def _checks(self, plan: _Plan, required: frozenset[str]) -> None:
        """What a walk looks at to leave out what the class cannot hold (tmf/holdable.py)."""
        if not plan.alternatives:  # all of them: v4 may hold a looser class there (`OrValue`)
            plan.needs = tuple(sorted(required - {TYPE}))
        declared = self.properties(plan.definition).items()
        attributes = [(a, schema) for a, schema in declared if a != TYPE]
        # `Characteristic`, not its dispatcher's `Characteristic__base`
        plan.checks = value_checks(self.definitions, self.earlier, plan.own, attributes, plan.needs)

    def _children_of(self, plan: _Plan) -> dict[str, tuple[_Plan, int]]:
        """Its attributes that may hold an object: a `$ref`, or arrays of them."""
        children: dict[str, tuple[_Plan, int]] = {}
        for name, schema in self.properties(plan.definition).items():
            target = _object_target(schema)
            if target is not None:
                children[name] = (self._plan(target[0]), target[1])
        plan.children = children
        return children

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


def _chosen(plan: _Plan, value: dict[str, Any]) -> _Plan:
    """The plan of the class `value` is an instance of, its `@type` set if it had none."""
    given = value.get(TYPE)
    if plan.alternatives:
        mapping = plan.mapping
        if given.__class__ is not str or (mapping and given not in mapping):
            given = _alternative_for(plan, value)
            value[TYPE] = given
        return mapping.get(given) or plan.value_alternative or plan
    if given.__class__ is str:
        if plan.guard_unknown and given not in plan.known:
            value[TYPE] = given = plan.own  # a v4 class v5 does not know: shown as its v5 class
        return plan.mapping.get(given, plan)
    if plan.type_required:
        value[TYPE] = plan.own
    return plan


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


def _alternative_names(mapping: dict[str, Any]) -> tuple[str | None, str]:
    """A `oneOf`'s first reference name (None: it has none) and the name of a value."""
    references = sorted(key for key in mapping if key.endswith("Ref"))
    values = sorted(key for key in mapping if not key.endswith("Ref"))
    return (references[0] if references else None), (values[0] if values else "")


def _alternative_for(plan: _Plan, value: dict[str, Any]) -> str:
    """A reference's name when the value holds only a reference's attributes (or the `oneOf`
    has no value alternative); else a value's."""
    reference = plan.reference_name
    if reference is not None and (
        not plan.value_name
        or (value.keys() <= REFERENCE_ATTRIBUTES and plan.reference_needs <= value.keys())
    ):
        return reference
    return plan.value_name


def _keep_shown(plan: _Plan, array: list[Any]) -> None:
    """Leave out of an array of objects, walked already, those their class cannot hold."""
    array[:] = [
        element
        for element in array
        if element.__class__ is not dict or holdable(_chosen(plan, element).checks, element)
    ]
