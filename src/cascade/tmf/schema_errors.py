"""A JSON Schema violation as the one line a TMF `Error` message carries.

The validator (jsonschema-rs) reports where and why; this names the place from the schema's
definition down (`ProductOrder_Create.productOrderItem[1].action`) and says what was
expected in the words a client can act on (`must be one of ['add', 'modify', ...]`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from jsonschema_rs import ValidationError


def violation_message(definition: str, error: ValidationError) -> str:
    """`<definition><path> <what was expected>`, e.g. `ProductOrder.state must be string`."""
    return f"{_where(definition, error.instance_path)} {_expected(error)}"


def _where(definition: str, path: Sequence[str | int]) -> str:
    parts = [definition]
    for step in path:
        parts.append(f"[{step}]" if isinstance(step, int) else f".{step}")
    return "".join(parts)


def _expected(error: ValidationError) -> str:
    name = error.kind.name
    if name in _LIMITS:
        return _LIMITS[name].format(error.kind.as_dict()["limit"])
    phrase = _PHRASES.get(name)
    if phrase is None:
        return f"is invalid: {error.message}"
    return phrase(error.kind.as_dict())


def _types(types: Any) -> str:
    names = [types] if isinstance(types, str) else list(types or ())
    return " or ".join(str(name) for name in names) or "valid"


def _listing(options: Sequence[Any]) -> str:
    return "[" + ", ".join(_json(option) for option in options) + "]"


def _json(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value)


_Phrase = Callable[[dict[str, Any]], str]

# What was expected, by the keyword the document broke (a keyword not named here is given
# in the validator's own words).
_PHRASES: dict[str, _Phrase] = {
    "required": lambda k: f"must contain {[k['property']]} properties",
    "type": lambda k: f"must be {_types(k['types'])}",
    "enum": lambda k: f"must be one of {_listing(k['options'])}",
    "const": lambda k: f"must be {_json(k['expected_value'])}",
    "format": lambda k: f"must be {k['format']}",
    "additionalProperties": lambda k: f"must not contain {sorted(k['unexpected'])} properties",
    "oneOf": lambda k: "must match exactly one of the schemas it may take",
    "anyOf": lambda k: "must match one of the schemas it may take",
}

# The keywords that set a limit, and how a value beyond it is told.
_LIMITS = {
    "minItems": "must contain at least {} items",
    "maxItems": "must contain at most {} items",
    "minLength": "must be at least {} characters long",
    "maxLength": "must be at most {} characters long",
    "minimum": "must be at least {}",
    "maximum": "must be at most {}",
}
