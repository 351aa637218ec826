"""The description of Cascade's own extensions under `/cascade` (served at
`/cascade/openapi.json`), made from the declared extension routes (frontend/extensions.py).
No TMF API has them, so every operation, and the document itself, is marked
`x-cascade-extension` like the hub GETs are."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from cascade.frontend.extensions import BASE_PATH, EXTENSION_MARK, ExtensionRoute

CODE = "cascade"
TITLE = "Cascade extensions (audit trail, order tree, parked events)"


def extension_description(
    public_url: str, error: dict[str, Any], routes: Sequence[ExtensionRoute]
) -> dict[str, Any]:
    """A Swagger 2.0 document for `/cascade`; `error` is the TMF `Error` definition."""
    scheme, _, host = public_url.partition("://")
    paths: dict[str, dict[str, Any]] = {}
    definitions: dict[str, Any] = {"Error": copy.deepcopy(error)}
    for route in routes:
        for method in route.methods:
            paths.setdefault(route.path, {})[method] = copy.deepcopy(dict(route.operation))
        definitions.update(copy.deepcopy(dict(route.definitions)))
    return {
        "swagger": "2.0",
        **EXTENSION_MARK,
        "info": {
            "title": TITLE,
            "version": "1",
            "description": "Cascade's extensions: not part of any TMF Open API.",
        },
        "host": host.rstrip("/"),
        "schemes": [scheme],
        "basePath": BASE_PATH,
        "consumes": ["application/json;charset=utf-8"],
        "produces": ["application/json;charset=utf-8"],
        "paths": paths,
        "definitions": definitions,
    }
