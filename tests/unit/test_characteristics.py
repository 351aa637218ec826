"""Characteristic rules read from any of the three catalogs' spellings."""

from __future__ import annotations

from cascade.domain.characteristics import (
    CharacteristicRule,
    as_characteristics,
    as_values,
    resolve,
)


def test_ranges_choices_regex_and_types() -> None:
    speed = CharacteristicRule.from_spec(
        {
            "name": "downloadSpeed",
            "valueType": "integer",
            "characteristicValueSpecification": [{"valueFrom": 1, "valueTo": 100}],
        }
    )
    assert speed.problem_with(50) is None
    assert speed.problem_with(101) is not None
    assert speed.problem_with(True) is not None
    package = CharacteristicRule.from_spec(
        {
            "name": "channelPackage",
            "valueType": "string",
            "productSpecCharacteristicValue": [
                {"value": "Basic", "isDefault": True},
                {"value": "Premium"},
            ],
        }
    )
    assert package.default == "Basic"
    assert package.problem_with("Premium") is None
    assert "not one of" in str(package.problem_with("Gold"))
    number = CharacteristicRule.from_spec(
        {"name": "msisdn", "valueType": "string", "regex": "^44[0-9]+$"}
    )
    assert number.problem_with("4477") is None
    assert number.problem_with("3377") is not None


def test_resolve_keeps_given_fills_defaults_and_leaves_provider_values() -> None:
    rules = {
        "a": CharacteristicRule("a", "integer", True, True, (), (), None, 5),
        "b": CharacteristicRule("b", "string", False, True, (), (), None, None),
    }
    values, problems = resolve({}, rules, "item 1")
    assert values == {"a": 5} and problems == []  # b is set by the provider
    values, problems = resolve({"a": 7, "zz": 1}, rules, "item 1")
    assert values == {"a": 7}
    assert problems == ["item 1 has no characteristic 'zz'"]


def test_values_and_characteristics_round_trip() -> None:
    values = {"vlanId": 100, "ipv4Address": "203.0.113.5", "enabled": True}
    assert as_values(as_characteristics(values)) == values
    assert {c["valueType"] for c in as_characteristics(values)} == {"integer", "string", "boolean"}
