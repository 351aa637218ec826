"""Pieces of Swagger 2.0 the extensions' declarations share (their operations' parts)."""

from __future__ import annotations

import copy
from typing import Any

from cascade.frontend.extensions import EXTENSION_MARK

JSON = "application/json;charset=utf-8"
ERROR = {"$ref": "#/definitions/Error"}
COUNTS = {
    "X-Total-Count": {"type": "integer", "description": "How many entries match"},
    "X-Result-Count": {"type": "integer", "description": "How many entries this page holds"},
}


def operation(**fields: Any) -> dict[str, Any]:
    """An operation marked as a Cascade extension (no TMF API has it)."""
    return {**EXTENSION_MARK, **copy.deepcopy(fields)}


def query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "type": "string",
        "description": description,
        **schema,
    }


def path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "type": "string",
        "description": description,
    }
