"""Validation of responses against the official (unmodified) swagger definitions."""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from cascade.tmf.spec import load_swagger


class OfficialSchemas:
    """`check(spec_file, "ProductOrder", document)` raises if the document breaks the spec."""

    @functools.cache  # noqa: B019 - one instance per session
    def _validator(self, spec_file: str, definition: str) -> jsonschema.Draft4Validator:
        swagger = load_swagger(spec_file)
        root: Resource[Any] = DRAFT4.create_resource(swagger)
        registry: Registry[Any] = Registry().with_resource("urn:swagger", root)
        schema = {"$ref": f"urn:swagger#/definitions/{definition}"}
        return jsonschema.Draft4Validator(
            schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
        )

    def check(self, spec_file: str, definition: str, document: Any) -> None:
        errors = sorted(
            self._validator(spec_file, definition).iter_errors(document), key=lambda e: e.path
        )
        if errors:
            details = "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
            raise AssertionError(f"{definition} does not match {spec_file}: {details}")
