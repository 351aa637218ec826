"""Official TMF API documents (swagger 2.0 for v4, OpenAPI 3.0 for v5): loading, compiled
validators, and what may be patched."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from jsonschema_rs import Draft7Validator, ValidationError

from cascade.tmf.errors import TmfError
from cascade.tmf.oas3 import to_definitions
from cascade.tmf.schema import Shape, ShapeBuilder
from cascade.tmf.schema_errors import violation_message


@dataclass(frozen=True)
class SchemaOverlay:
    """Conformance-profile rules the swagger leaves out, applied on top of its definitions.

    `required` adds mandatory attributes to definitions; `optional` lifts requirements the
    swagger states by mistake (a `_Create` requiring the server-set `id`, a `*RefOrValue`
    requiring the `id` of what an `add` item creates); `enums` restricts a property of a
    definition (`"ResourceOrderItem.action"`) to a list of values.

    `responses` names the attributes a profile makes mandatory in every answer (`"Service":
    ["serviceDate"]`). They bind answers only (`validate_response`), never request bodies: the
    nested definitions (`ProductOrderItem`) are shared by both, and a client does not send
    what the server sets.
    """

    required: Mapping[str, Sequence[str]] = field(default_factory=dict)
    optional: Mapping[str, Sequence[str]] = field(default_factory=dict)
    enums: Mapping[str, Sequence[str]] = field(default_factory=dict)
    responses: Mapping[str, Sequence[str]] = field(default_factory=dict)


@functools.cache
def load_swagger(filename: str) -> dict[str, Any]:
    """Read one of the spec files shipped in `cascade/specs/` (JSON, or YAML for `.yaml`)."""
    text = resources.files("cascade.specs").joinpath(filename).read_text(encoding="utf-8")
    if filename.endswith((".yaml", ".yml")):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        loaded: dict[str, Any] = yaml.load(text, Loader=loader)
        return loaded
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def official_definitions(filename: str) -> dict[str, Any]:
    """The file's schemas as JSON Schema definitions (an OAS 3 file's converted, tmf/oas3.py)."""
    document = load_swagger(filename)
    if is_openapi3(document):
        return to_definitions(document["components"]["schemas"])
    definitions: dict[str, Any] = document["definitions"]
    return definitions


def is_openapi3(document: dict[str, Any]) -> bool:
    return str(document.get("openapi", "")).startswith("3.")


class SpecDocument:
    """One API's official document, with overlays applied, compiling validators on demand.

    An OpenAPI 3 file (TMF v5) names no base path (its server is `https://serverRoot`): the
    declaration gives it (`base_path`).
    """

    def __init__(
        self, filename: str, overlay: SchemaOverlay | None = None, base_path: str | None = None
    ) -> None:
        self.filename = filename
        self.swagger = load_swagger(filename)
        self.openapi3 = is_openapi3(self.swagger)
        if self.openapi3 and not base_path:
            raise ValueError(f"{filename} is OpenAPI 3: its declaration must give base_path")
        self._base_path = base_path
        overlay = overlay or SchemaOverlay()
        self.definitions = _apply_overlay(official_definitions(filename), overlay)
        self.response_definitions = _add_required(self.definitions, overlay.responses)
        self._shapes = ShapeBuilder(self.definitions)
        self._validators: dict[tuple[str, bool, bool], Draft7Validator] = {}

    @property
    def base_path(self) -> str:
        return (self._base_path or str(self.swagger["basePath"])).rstrip("/")

    @property
    def version(self) -> str:
        return str(self.swagger["info"]["version"])

    def lists_request_media(self, media: str) -> bool:
        """Whether a request body of the file takes `media` (OpenAPI 3 `requestBodies`)."""
        bodies = self.swagger.get("components", {}).get("requestBodies", {})
        return any(media in (body.get("content") or {}) for body in bodies.values())

    def has(self, definition: str) -> bool:
        return definition in self.definitions

    def shape(self, definition: str) -> Shape:
        return self._shapes.definition(definition)

    def properties(self, definition: str) -> frozenset[str]:
        """Its attributes, its `allOf` parts' included (how every v5 schema is built)."""
        return frozenset(self.shape(definition).properties)

    def mandatory(self, definition: str) -> frozenset[str]:
        """The attributes every answer carrying `definition` has (swagger and profile)."""
        return frozenset(self.response_definitions[definition].get("required", ()))

    def validate(self, definition: str, document: Any, *, top_required: bool = True) -> None:
        """Raise a 400 `TmfError` naming the first violation of `definition`."""
        self._validate((definition, top_required, False), document)

    def validate_response(self, definition: str, document: Any) -> None:
        """Raise a `TmfError` naming the first way an answer breaks `definition` as the
        conformance profile has it (its mandatory attributes included)."""
        self._validate((definition, True, True), document)

    def _validate(self, key: tuple[str, bool, bool], document: Any) -> None:
        definition = key[0]
        validator = self._validators.get(key)
        if validator is None:
            validator = self._compile(*key)
            self._validators[key] = validator
        try:
            validator.validate(document)
        except ValidationError as exc:
            raise TmfError(400, "invalidBody", violation_message(definition, exc)) from None

    def _compile(self, definition: str, top_required: bool, response: bool) -> Draft7Validator:
        """jsonschema-rs (ADR 0031): draft 7, formats checked, no reference ever fetched."""
        definitions = self.response_definitions if response else self.definitions
        root = dict(definitions[definition])
        if not top_required:
            root.pop("required", None)
        schema = {**root, "definitions": definitions}
        return Draft7Validator(
            schema, formats={"uri": _is_uri}, validate_formats=True, offline=True
        )


_URI = re.compile(r"^\w+:(/?/?)\S+\Z")


def _is_uri(value: str) -> bool:
    """A scheme, a colon and no blank: TMF's own examples (`https://host:port/...`) are not
    RFC 3986 URIs, and integrators copy them (ADR 0031)."""
    return _URI.match(value) is not None


def _apply_overlay(definitions: dict[str, Any], overlay: SchemaOverlay) -> dict[str, Any]:
    if not (overlay.required or overlay.optional or overlay.enums):
        return definitions
    result = copy.deepcopy(definitions)
    _require(result, overlay.required)
    for name, lifted in overlay.optional.items():
        # An OpenAPI 3 definition states its own part's `required` inside its `allOf`, or in
        # its `__base` when tmf/oas3.py made it a dispatcher.
        own = (result[name], result.get(f"{name}__base", {}))
        parts = [*own, *(p for d in own for p in d.get("allOf", ()) if "$ref" not in p)]
        for target in parts:
            remaining = sorted(set(target.get("required", [])) - set(lifted))
            if remaining:
                target["required"] = remaining
            else:
                target.pop("required", None)
    for dotted, values in overlay.enums.items():
        name, prop = dotted.split(".", 1)
        result[name]["properties"][prop] = {"type": "string", "enum": list(values)}
    return result


def _add_required(
    definitions: dict[str, Any], required: Mapping[str, Sequence[str]]
) -> dict[str, Any]:
    """A copy of `definitions` in which each named definition also requires `required[name]`."""
    if not required:
        return definitions
    result = copy.deepcopy(definitions)
    _require(result, required)
    return result


def _require(definitions: dict[str, Any], required: Mapping[str, Sequence[str]]) -> None:
    for name, extra in required.items():
        target = definitions[name]
        target["required"] = sorted(set(target.get("required", [])) | set(extra))
