"""Security in the served OpenAPI descriptions: schemes, scopes and 401/403/429 answers.

With authentication on, each description declares how to authenticate (`X-API-Key` in mode
`apikey`; an OAuth2 bearer token in mode `jwt`), and every operation that needs credentials
says which scopes it needs (`security`, and `x-cascade-scopes` in every mode) and that it may
answer 401, 403 or 429 with a TMF `Error`. All of it is added: an answer the TMF swagger
already declares is kept as it is, only its headers are added (an OpenAPI 3 file's answers are
references to its own, kept whole). In mode `none` the descriptions are served unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from cascade.security.principal import ADMIN
from cascade.security.scopes import HUB_WRITE, Scopes
from cascade.security.settings import SecuritySettings
from cascade.tmf.errors import REASONS

# A served description and the code of what it describes (`tmf622`, or `cascade`) -> served.
Describe = Callable[[dict[str, Any], str], dict[str, Any]]
APIKEY, OAUTH2, BEARER = "apiKey", "oauth2", "bearer"
METHODS = ("get", "post", "patch", "put", "delete")
_OPERATIONS = {
    (1, "get"): "list",
    (1, "post"): "create",
    (2, "get"): "retrieve",
    (2, "patch"): "patch",
    (2, "delete"): "delete",
}
_ERROR = {"$ref": "#/definitions/Error"}
_CHALLENGE = {
    "WWW-Authenticate": {
        "type": "string",
        "description": "How to authenticate (RFC 6750 error and missing scope on a refusal)",
    }
}
_RETRY = {"Retry-After": {"type": "integer", "description": "Seconds to wait before retrying"}}
_ANSWERS = (("401", _CHALLENGE), ("403", _CHALLENGE), ("429", _RETRY))


def describer(settings: SecuritySettings, scopes: Scopes) -> Describe:
    """What to add to each served description for these settings (nothing in mode `none`)."""
    if settings.auth_mode == "none":
        return unchanged
    return partial(secure_description, settings=settings, scopes=scopes)


def unchanged(document: dict[str, Any], code: str) -> dict[str, Any]:
    return document


def route_name(code: str, path: str, method: str) -> str | None:
    """The name of the route serving `method path` in TMF API `code` (see security/scopes.py):
    TMF paths are `/<resource>` and `/<resource>/{id}`."""
    segments = path.strip("/").split("/")
    operation = _OPERATIONS.get((len(segments), method))
    return f"{code}.{segments[0]}.{operation}" if operation else None


def operation_scopes(scopes: Scopes, code: str, path: str, method: str) -> tuple[str, ...]:
    """What an operation of a served description needs (`cascade`: a declared extension)."""
    if code == "cascade":
        return scopes.of_extension(path, method)
    return scopes.required(route_name(code, path, method))


def secure_description(
    document: dict[str, Any], code: str, *, settings: SecuritySettings, scopes: Scopes
) -> dict[str, Any]:
    """`document` (changed in place) with its security schemes, scopes and refusals."""
    needed_by_api: set[str] = set()
    for path, operations in document["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            needed = operation_scopes(scopes, code, path, method) if operation else ()
            if not needed:
                continue
            needed_by_api.update(needed)
            operation["x-cascade-scopes"] = list(needed)
            operation["security"] = _requirements(settings, needed)
            if "openapi" in document:
                _add_refusals_openapi3(operation.setdefault("responses", {}))
            else:
                _add_refusals(operation.setdefault("responses", {}))
    schemes = _schemes(settings, needed_by_api)
    if "openapi" in document:
        declared = document.setdefault("components", {}).setdefault("securitySchemes", {})
        declared.update(_openapi3_schemes(schemes))
    else:
        document["securityDefinitions"] = schemes
    return document


def _add_refusals_openapi3(responses: dict[str, Any]) -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for status, headers in _ANSWERS:
        if status in responses:
            continue
        responses[status] = {
            "description": REASONS[int(status)],
            "content": error,
            "headers": {
                name: {"description": header["description"], "schema": {"type": header["type"]}}
                for name, header in headers.items()
            },
        }


def _openapi3_schemes(schemes: dict[str, Any]) -> dict[str, Any]:
    """Swagger 2.0 security definitions as OpenAPI 3 security schemes."""
    converted = dict(schemes)
    oauth2 = converted.get(OAUTH2)
    if oauth2 is not None:
        flow = {"tokenUrl": oauth2["tokenUrl"], "scopes": oauth2["scopes"]}
        converted[OAUTH2] = {
            "type": "oauth2",
            "description": oauth2["description"],
            "flows": {"clientCredentials": flow},
        }
    return converted


def _requirements(settings: SecuritySettings, needed: Iterable[str]) -> list[dict[str, Any]]:
    if settings.auth_mode == "apikey":
        return [{APIKEY: []}]  # Swagger 2.0 scopes are for OAuth2 only: see x-cascade-scopes
    return [{OAUTH2: list(needed)}, {BEARER: []}]


def _add_refusals(responses: dict[str, Any]) -> None:
    for status, headers in _ANSWERS:
        answer = responses.setdefault(
            status, {"description": REASONS[int(status)], "schema": dict(_ERROR)}
        )
        answer_headers = answer.setdefault("headers", {})
        for name, header in headers.items():
            answer_headers.setdefault(name, dict(header))


def _schemes(settings: SecuritySettings, needed: set[str]) -> dict[str, Any]:
    if settings.auth_mode == "apikey":
        return {
            APIKEY: {
                "type": "apiKey",
                "in": "header",
                "name": "X-API-Key",
                "description": "A Cascade API key (`csk_...`, from `cascade apikey create`); "
                "`Authorization: Bearer csk_...` works too. The key's scopes must include "
                "each operation's x-cascade-scopes.",
            }
        }
    token_url = settings.jwt_token_url or settings.jwt_issuer or ""
    return {
        OAUTH2: {
            "type": "oauth2",
            "flow": "application",
            "tokenUrl": token_url,
            "scopes": scope_descriptions(needed),
            "description": f"An OAuth2 access token (JWT) issued by {settings.jwt_issuer} for "
            f"the audience {settings.jwt_audience}, sent as `Authorization: Bearer <token>`.",
        },
        BEARER: {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The same token pasted as `Bearer <token>` (a token you already have).",
        },
    }


def scope_descriptions(needed: set[str]) -> dict[str, str]:
    """Every scope that grants an operation here: the needed ones, their bare prefixes, admin."""
    described: dict[str, str] = {}
    for scope in sorted(needed - {ADMIN}):
        prefix, _, access = scope.partition(":")
        if scope == HUB_WRITE:
            described[scope] = "Subscribe to events and remove subscriptions (with :read)"
        elif access == "read":
            described[scope] = f"Read {prefix} resources (GET)"
        else:
            described[scope] = f"Create, change and delete {prefix} resources"
        if scope != HUB_WRITE:
            described[prefix] = f"Both {prefix}:read and {prefix}:write"
    described[ADMIN] = "Everything, including Cascade's administration extensions"
    return described
