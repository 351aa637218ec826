"""Validation of responses against the official swagger definitions, and against the mandatory
response attributes of the conformance profiles (the APIs' overlays).

The swagger is taken as published, but for the requirements an overlay lifts
(`SchemaOverlay.optional`, docs/conformance.md): an order item's resource given by value has
no id until the order makes it, in the answer as in the request. A v5 file (OpenAPI 3) is
checked by `jsonschema` (not the fastjsonschema Cascade validates requests with) against its
schemas with `nullable` and the `@type` discriminators as JSON Schema (cascade.tmf.oas3)."""

from __future__ import annotations

import copy
import functools
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

from cascade.apis import ALL_APIS
from cascade.tmf.errors import TmfError
from cascade.tmf.spec import is_openapi3, load_swagger, official_definitions


class OfficialSchemas:
    """`check(spec_file, "ProductOrder", document)` raises if the document breaks the spec, or
    lacks an attribute the API's conformance profile makes mandatory in responses."""

    @functools.cache  # noqa: B019 - one instance per session
    def _validator(
        self, spec_file: str, definition: str
    ) -> jsonschema.Draft4Validator | jsonschema.Draft7Validator:
        if is_openapi3(load_swagger(spec_file)):
            return _openapi3_validator(spec_file, definition)
        swagger = with_lifts(spec_file)
        root: Resource[Any] = DRAFT4.create_resource(swagger)
        registry: Registry[Any] = Registry().with_resource("urn:swagger", root)
        schema = {"$ref": f"urn:swagger#/definitions/{definition}"}
        return jsonschema.Draft4Validator(
            schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
        )

    def check(self, spec_file: str, definition: str, document: Any) -> None:
        self.check_shape(spec_file, definition, document)
        self.check_profile(spec_file, definition, document)

    def check_shape(self, spec_file: str, definition: str, document: Any) -> None:
        """Raise if the document breaks the swagger definition (any document, not only an
        answer: the profile's mandatory answer attributes are not asked for)."""
        errors = sorted(
            self._validator(spec_file, definition).iter_errors(document), key=lambda e: e.path
        )
        if errors:
            details = "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
            raise AssertionError(f"{definition} does not match {spec_file}: {details}")

    def check_profile(self, spec_file: str, definition: str, document: Any) -> None:
        """Raise if the answer lacks an attribute the conformance profile makes mandatory."""
        for api in ALL_APIS:
            if api.spec_file != spec_file or not api.spec.has(definition):
                continue
            try:
                api.spec.validate_response(definition, document)
            except TmfError as exc:
                raise AssertionError(f"{api.code} profile: {exc.message}") from None


def with_lifts(spec_file: str) -> dict[str, Any]:
    """The published swagger, less the requirements its API's overlay lifts."""
    swagger = copy.deepcopy(load_swagger(spec_file))
    definitions = swagger["definitions"]
    for api in ALL_APIS:
        if api.spec_file != spec_file:
            continue
        for name, lifted in api.overlay.optional.items():
            target = definitions[name]
            target["required"] = [r for r in target.get("required", []) if r not in lifted]
            if not target["required"]:
                del target["required"]
    return swagger


def _openapi3_validator(spec_file: str, definition: str) -> jsonschema.Draft7Validator:
    document = {"definitions": official_definitions(spec_file)}
    root: Resource[Any] = DRAFT7.create_resource(document)
    registry: Registry[Any] = Registry().with_resource("urn:openapi", root)
    schema = {"$ref": f"urn:openapi#/definitions/{definition}"}
    return jsonschema.Draft7Validator(
        schema, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
