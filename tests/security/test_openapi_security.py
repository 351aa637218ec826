"""The served OpenAPI descriptions declare authentication when the server has it: the schemes,
each operation's scopes and its 401/403/429 answers, all added to the TMF swagger without
changing it. In mode `none` the descriptions are served as they are. `/cascade/openapi.json`
describes Cascade's own extensions."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import jsonschema
import pytest
from litestar.testing import TestClient
from schemathesis.specs.openapi.definitions import OPENAPI_30, SWAGGER_20

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade
from cascade.security.openapi import METHODS, operation_scopes, route_name
from cascade.security.scopes import Scopes
from cascade.security.settings import SecuritySettings
from cascade.tmf.openapi import served_description
from cascade.web.description import extension_description
from cascade.web.routes import EXTENSIONS
from tests.conftest import PUBLIC_URL
from tests.security.conftest import AUDIENCE, ISSUER, Client, Signer, secured_cascade

DESCRIBED = [(api.code, f"{api.base_path}/openapi.json") for api in ALL_APIS]
DESCRIBED.append(("cascade", "/cascade/openapi.json"))
ADDED = ("security", "x-cascade-scopes")
TOKEN_URL = "https://idp.example.test/oauth/token"
SCOPES = Scopes(ALL_APIS, EXTENSIONS)


def served_route(code: str, path: str, method: str) -> str | None:
    """The name of the route serving a described operation (extensions: as declared)."""
    if code == "cascade":
        return next((r.name for r in EXTENSIONS if r.path == path and method in r.methods), None)
    return route_name(code, path, method)


@pytest.fixture(scope="module")
def jwt_client(database_url: str, signer: Signer) -> Iterator[Client]:
    security = SecuritySettings(
        auth_mode="jwt",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_jwks=str(signer.jwks_path),
        jwt_token_url=TOKEN_URL,
    )
    yield from _client(secured_cascade(database_url, security))


@pytest.fixture(scope="module")
def none_client(database_url: str) -> Iterator[Client]:
    yield from _client(secured_cascade(database_url, SecuritySettings()))


def _client(cascade: Cascade) -> Iterator[Client]:
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield client
    finally:
        cascade.close()


def _description(client: Client, path: str) -> dict[str, Any]:
    response = client.get(path)  # public in every mode: no credentials
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method in METHODS:
            if method in operations:
                yield path, method, operations[method]


def _official(code: str) -> dict[str, Any]:
    """What mode `none` serves: the TMF swagger (or the extensions) with nothing added."""
    if code == "cascade":
        error = ALL_APIS[0].spec.definitions["Error"]
        return extension_description(PUBLIC_URL, error, EXTENSIONS)
    api = next(api for api in ALL_APIS if api.code == code)
    return served_description(api, PUBLIC_URL)


def _schemes(document: dict[str, Any]) -> dict[str, Any]:
    """The security schemes declared: swagger 2.0's or OpenAPI 3's (TMF v5)."""
    if "openapi" in document:
        schemes: dict[str, Any] = document["components"]["securitySchemes"]
        return schemes
    definitions: dict[str, Any] = document["securityDefinitions"]
    return definitions


def _check_meta(document: dict[str, Any]) -> None:
    """The description is a valid swagger 2.0 or OpenAPI 3.0 document."""
    if "openapi" in document:
        jsonschema.Draft4Validator(OPENAPI_30).validate(document)
    else:
        jsonschema.Draft4Validator(SWAGGER_20).validate(document)


def _without_security(document: dict[str, Any], official: dict[str, Any]) -> dict[str, Any]:
    """`document` with what security adds taken out again: answers and headers not official."""
    stripped = copy.deepcopy(document)
    if "openapi" in stripped:
        stripped["components"]["securitySchemes"] = official["components"]["securitySchemes"]
    else:
        stripped.pop("securityDefinitions")
    for path, method, operation in _operations(stripped):
        for name in ADDED:
            operation.pop(name, None)
        responses = official["paths"][path][method]["responses"]
        operation["responses"] = {
            status: {**answer, "headers": responses[status].get("headers")}
            if "headers" in responses[status]
            else {k: v for k, v in answer.items() if k != "headers"}
            for status, answer in operation["responses"].items()
            if status in responses
        }
    return stripped


@pytest.mark.parametrize(("code", "path"), DESCRIBED)
def test_mode_none_serves_the_descriptions_as_they_are(
    none_client: Client, code: str, path: str
) -> None:
    document = _description(none_client, path)
    assert document == _official(code)
    assert "securityDefinitions" not in document
    assert not document.get("components", {}).get("securitySchemes")  # the v5 file's: {}
    assert not any("security" in op for _, _, op in _operations(document))


@pytest.mark.parametrize(("code", "path"), DESCRIBED)
def test_api_keys_are_declared_with_scopes_and_refusals_on_every_operation(
    apikey_client: Client, code: str, path: str
) -> None:
    document = _description(apikey_client, path)
    _check_meta(document)
    assert _schemes(document) == {
        "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": _schemes(document)["apiKey"]["description"],
        }
    }
    for path_, method, operation in _operations(document):
        needed = operation_scopes(SCOPES, code, path_, method)
        assert needed, f"{method} {path_} would be public"
        assert operation["security"] == [{"apiKey": []}]
        assert operation["x-cascade-scopes"] == list(needed)
        _assert_refusals(operation, document)
    assert _without_security(document, _official(code)) == _official(code)


@pytest.mark.parametrize(("code", "path"), DESCRIBED)
def test_jwt_declares_oauth2_with_each_operations_scopes(
    jwt_client: Client, code: str, path: str
) -> None:
    document = _description(jwt_client, path)
    _check_meta(document)
    oauth2 = _schemes(document)["oauth2"]
    if "openapi" in document:
        oauth2 = {**oauth2, "flow": "application", **oauth2["flows"]["clientCredentials"]}
    assert (oauth2["type"], oauth2["flow"], oauth2["tokenUrl"]) == (
        "oauth2",
        "application",
        TOKEN_URL,
    )
    assert _schemes(document)["bearer"]["name"] == "Authorization"
    assert "admin" in oauth2["scopes"]
    for path_, method, operation in _operations(document):
        needed = list(operation_scopes(SCOPES, code, path_, method))
        assert operation["security"] == [{"oauth2": needed}, {"bearer": []}]
        assert set(needed) <= set(oauth2["scopes"])
        _assert_refusals(operation, document)
    assert _without_security(document, _official(code)) == _official(code)


def _assert_refusals(operation: dict[str, Any], document: dict[str, Any]) -> None:
    responses = operation["responses"]
    if "openapi" in document:  # the file's own answers where it has them, else Cascade's
        for status in ("401", "403", "429"):
            answer = responses[status]
            assert "$ref" in answer or "Error" in str(answer["content"]), answer
        return
    for status in ("401", "403", "429"):
        assert responses[status]["schema"] == {"$ref": "#/definitions/Error"}
    assert "WWW-Authenticate" in responses["401"]["headers"]
    assert "Retry-After" in responses["429"]["headers"]


def test_every_described_operation_is_a_served_route(apikey_client: Client) -> None:
    app: Any = apikey_client.app
    names = {handler.name for route in app.routes for handler in route.route_handlers}
    for code, path in DESCRIBED:
        for path_, method, _ in _operations(_description(apikey_client, path)):
            assert served_route(code, path_, method) in names, (code, method, path_)


def test_the_extensions_are_described_and_marked(apikey_client: Client) -> None:
    document = _description(apikey_client, "/cascade/openapi.json")
    assert document["basePath"] == "/cascade" and document["x-cascade-extension"] is True
    audit = document["paths"]["/audit"]["get"]
    assert audit["x-cascade-extension"] is True and audit["x-cascade-scopes"] == ["admin"]
    names = {parameter["name"] for parameter in audit["parameters"]}
    assert names == {"kind", "entityId", "actor", "action", "since", "until", "offset", "limit"}
    tree = document["paths"]["/productOrder/{order_id}/tree"]["get"]
    assert tree["x-cascade-scopes"] == ["productOrdering:read"]
    page = apikey_client.get("/docs/cascade")
    assert page.status_code == 200 and "/cascade/openapi.json" in page.text
    assert "/docs/cascade" in apikey_client.get("/docs").text


def test_the_token_url_defaults_to_the_issuer() -> None:
    from cascade.security.openapi import secure_description

    settings = SecuritySettings(auth_mode="jwt", jwt_issuer=ISSUER, jwt_audience=AUDIENCE)
    document = secure_description(_official("tmf622"), "tmf622", settings=settings, scopes=SCOPES)
    assert document["securityDefinitions"]["oauth2"]["tokenUrl"] == ISSUER
    named = replace(settings, jwt_token_url=TOKEN_URL)
    document = secure_description(_official("tmf622"), "tmf622", settings=named, scopes=SCOPES)
    assert document["securityDefinitions"]["oauth2"]["tokenUrl"] == TOKEN_URL
