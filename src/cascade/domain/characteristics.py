"""Characteristic values checked against their catalog specification (TMF620/633/634 alike).

The three catalogs describe characteristics with different attribute names for the same idea
(`productSpecCharacteristicValue`, `characteristicValueSpecification`,
`resourceSpecCharacteristicValue`); `CharacteristicRule` reads any of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

VALUE_LISTS = (
    "productSpecCharacteristicValue",
    "characteristicValueSpecification",
    "resourceSpecCharacteristicValue",
)


@dataclass(frozen=True)
class CharacteristicRule:
    """What one specification says about one characteristic."""

    name: str
    value_type: str | None
    configurable: bool
    mandatory: bool
    choices: tuple[Any, ...]
    ranges: tuple[tuple[float, float], ...]
    regex: str | None
    default: Any

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> CharacteristicRule:
        values: Sequence[Mapping[str, Any]] = ()
        for key in VALUE_LISTS:
            if isinstance(spec.get(key), list):
                values = spec[key]
                break
        choices = tuple(v["value"] for v in values if "value" in v)
        ranges = tuple(
            (float(v["valueFrom"]), float(v["valueTo"]))
            for v in values
            if isinstance(v.get("valueFrom"), int | float)
            and isinstance(v.get("valueTo"), int | float)
        )
        defaults = [v["value"] for v in values if v.get("isDefault") and "value" in v]
        return cls(
            name=str(spec.get("name")),
            value_type=spec.get("valueType"),
            configurable=bool(spec.get("configurable", True)),
            mandatory=int(spec.get("minCardinality") or 0) >= 1,
            choices=choices,
            ranges=ranges,
            regex=spec.get("regex"),
            default=defaults[0] if defaults else None,
        )

    def problem_with(self, value: Any) -> str | None:
        """Why `value` is not allowed for this characteristic, or None when it is."""
        if self.value_type == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            return f"characteristic '{self.name}' must be an integer, not {value!r}"
        if self.value_type == "string" and not isinstance(value, str):
            return f"characteristic '{self.name}' must be a string, not {value!r}"
        if self.choices and not self.ranges and value not in self.choices:
            allowed = ", ".join(str(choice) for choice in self.choices)
            return f"characteristic '{self.name}' value {value!r} is not one of: {allowed}"
        if self.ranges and value not in self.choices and not self._in_a_range(value):
            bounds = ", ".join(f"{low:g}..{high:g}" for low, high in self.ranges)
            return f"characteristic '{self.name}' value {value!r} is outside {bounds}"
        if self.regex and not re.fullmatch(self.regex, str(value)):
            return f"characteristic '{self.name}' value {value!r} does not match {self.regex}"
        return None

    def _in_a_range(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return any(low <= value <= high for low, high in self.ranges)


def rules_of(specs: Sequence[Mapping[str, Any]] | None) -> dict[str, CharacteristicRule]:
    return {str(spec.get("name")): CharacteristicRule.from_spec(spec) for spec in specs or ()}


def as_values(characteristics: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """`[{"name": n, "value": v}, ...]` as `{n: v}` (entries without a name are ignored)."""
    return {
        str(c["name"]): c.get("value")
        for c in characteristics or ()
        if isinstance(c, Mapping) and "name" in c
    }


def as_characteristics(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`{n: v}` as TMF Characteristic objects, with a valueType the schema accepts."""
    return [
        {"name": name, "value": value, "valueType": _value_type(value)}
        for name, value in values.items()
    ]


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def resolve(
    given: Mapping[str, Any], rules: Mapping[str, CharacteristicRule], owner: str
) -> tuple[dict[str, Any], list[str]]:
    """The values an ordered item gets (given, else defaults) and the problems found.

    A given characteristic the specification does not list, a given value the rule refuses,
    and a mandatory configurable characteristic with neither value nor default are problems;
    characteristics the provider sets (`configurable: false`) are left to fulfilment.
    """
    problems = [f"{owner} has no characteristic '{name}'" for name in given if name not in rules]
    values: dict[str, Any] = {}
    for name, rule in rules.items():
        if name in given:
            problem = rule.problem_with(given[name])
            if problem:
                problems.append(f"{owner}: {problem}")
            else:
                values[name] = given[name]
        elif rule.default is not None:
            values[name] = rule.default
        elif rule.mandatory and rule.configurable:
            problems.append(f"{owner}: mandatory characteristic '{name}' is missing")
    return values, problems
