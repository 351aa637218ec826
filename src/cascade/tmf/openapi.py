"""Each API's OpenAPI description (the official swagger, as served here) and interactive docs."""

from __future__ import annotations

import copy
from typing import Any

from cascade.tmf.declarations import ApiSpec

_EXTENSION = {"x-cascade-extension": True}


def served_description(api: ApiSpec, public_url: str) -> dict[str, Any]:
    """The official swagger document pointed at this server, plus Cascade's marked extensions.

    `/listener/*` paths describe the client's side and are left out; the import/export jobs of
    the catalogs are not served yet and are left out too.
    """
    if api.spec.openapi3:
        return _served_openapi3(api, public_url)
    document = copy.deepcopy(api.spec.swagger)
    scheme, _, host = public_url.partition("://")
    document["host"] = host.rstrip("/")
    document["schemes"] = [scheme]
    document["basePath"] = api.base_path
    document["paths"] = {
        path: operations
        for path, operations in document["paths"].items()
        if not path.startswith("/listener/") and not path.lower().endswith(("job", "job/{id}"))
    }
    hub = document["paths"].setdefault("/hub", {})
    hub["get"] = _hub_list()
    document["paths"].setdefault("/hub/{id}", {})["get"] = _hub_retrieve()
    document["definitions"] = copy.deepcopy(api.spec.definitions)
    _describe_secret(document["definitions"])
    for name, described in api.extensions.items():
        properties = document["definitions"][name].setdefault("properties", {})
        properties.update((k, {**v, **_EXTENSION}) for k, v in described.items())
    return document


def _served_openapi3(api: ApiSpec, public_url: str) -> dict[str, Any]:
    """A v5 file as served: its server this one, its listeners and the catalogs' import/export
    jobs (not served, as in v4) left out, the hub's GETs and `secret` described as Cascade
    extensions (the schemas stay the official ones)."""
    document = copy.deepcopy(api.spec.swagger)
    document["servers"] = [{"url": f"{public_url.rstrip('/')}{api.base_path}"}]
    document["paths"] = {
        path: operations
        for path, operations in document["paths"].items()
        if not path.startswith("/listener/") and not path.lower().endswith(("job", "job/{id}"))
    }
    ref = {"$ref": "#/components/schemas/Hub"}
    error = {"$ref": "#/components/schemas/Error"}
    for path, schema, code in (
        ("/hub", {"type": "array", "items": ref}, "400"),
        ("/hub/{id}", ref, "404"),
    ):
        operation: dict[str, Any] = {
            **_EXTENSION,
            "operationId": "listHub" if path == "/hub" else "retrieveHub",
            "summary": "Event subscriptions (Cascade extension)",
            "responses": {
                "200": {
                    "description": "Success",
                    "content": {"application/json": {"schema": schema}},
                },
                code: {"description": "Error", "content": {"application/json": {"schema": error}}},
            },
        }
        if path == "/hub/{id}":
            operation["parameters"] = [{"$ref": "#/components/parameters/Id"}]
        document["paths"].setdefault(path, {})["get"] = operation
    schemas = document["components"]["schemas"]
    for name in ("Hub_FVO", "Hub"):
        parts = schemas[name].setdefault("allOf", [])
        parts.append(
            {
                "properties": {
                    "secret": {"type": "string", "minLength": 16, "maxLength": 256, **_EXTENSION}
                }
            }
        )
    return document


def _describe_secret(definitions: dict[str, Any]) -> None:
    """The hub's `secret` (signature key of deliveries): an extension attribute."""
    described = {
        "type": "string",
        "minLength": 16,
        "maxLength": 256,
        **_EXTENSION,
    }
    for name, text in (
        (
            "EventSubscriptionInput",
            "Key of the HMAC-SHA256 signature of every delivery; "
            "Cascade makes one when it is left out (docs/events.md)",
        ),
        (
            "EventSubscription",
            "Made by Cascade when the client gave none; shown once, in the answer to the POST",
        ),
    ):
        if name in definitions:
            definitions[name].setdefault("properties", {})["secret"] = {
                **described,
                "description": f"{text} (Cascade extension)",
            }


def _hub_list() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "listHub",
        "summary": "Lists event subscriptions (Cascade extension)",
        "tags": ["events subscription"],
        "responses": {
            "200": {
                "description": "Success",
                "schema": {"type": "array", "items": {"$ref": "#/definitions/EventSubscription"}},
            },
            "400": {"description": "Bad Request", "schema": {"$ref": "#/definitions/Error"}},
        },
    }


def _hub_retrieve() -> dict[str, Any]:
    return {
        **_EXTENSION,
        "operationId": "retrieveHub",
        "summary": "Retrieves an event subscription (Cascade extension)",
        "tags": ["events subscription"],
        "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
        "responses": {
            "200": {
                "description": "Success",
                "schema": {"$ref": "#/definitions/EventSubscription"},
            },
            "404": {"description": "Not Found", "schema": {"$ref": "#/definitions/Error"}},
        },
    }


def docs_page(title: str, description_url: str, assets: str) -> str:
    """A Swagger UI page for one API, with its assets served locally (no CDN)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Cascade</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({{url: "{description_url}", dom_id: "#swagger-ui"}});</script>
</body></html>"""


def docs_index(apis: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="/docs/{code}">{title}</a></li>' for code, title in apis)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cascade APIs</title>'
        f"</head><body><h1>Cascade APIs</h1><ul>{items}</ul></body></html>"
    )
