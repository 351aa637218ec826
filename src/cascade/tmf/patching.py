"""PATCH bodies: JSON Merge Patch (RFC 7386) and JSON Patch (RFC 6902), with TMF's rules."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import jsonpatch
import jsonpointer

from cascade.tmf.errors import TmfError, bad_request
from cascade.tmf.patch_query import expand, first_attribute

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
# TMF630 JSON Patch Query (paths that select array elements: tmf/patch_query.py), taken where
# the API's file lists it (the v5 ones); elsewhere a 400 (docs/versions.md).
JSON_PATCH_QUERY = "application/json-patch-query+json"
PatchKind = Literal["merge", "json", "query"]


@dataclass(frozen=True)
class Patch:
    kind: PatchKind
    body: Any

    def touched_attributes(self) -> set[str]:
        """The first-level attributes the patch would change."""
        if self.kind == "merge":
            return set(self.body)
        first = first_attribute if self.kind == "query" else _first_segment
        touched = set()
        for operation in self.body:
            if operation["op"] != "test":
                touched.add(first(operation["path"]))
            if operation["op"] == "move":
                touched.add(first(str(operation.get("from", ""))))
        return touched

    def apply(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.kind == "merge":
            result = merge_patch(document, self.body)
            assert isinstance(result, dict)
            return result
        try:
            patched: dict[str, Any] = _apply_json_patch(self.kind, document, self.body)
        except jsonpatch.JsonPatchTestFailed as exc:
            raise TmfError(409, "patchTestFailed", f"JSON Patch test failed: {exc}") from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise bad_request(f"JSON Patch cannot be applied: {exc}", "invalidPatch") from None
        if not isinstance(patched, dict):
            raise bad_request("JSON Patch must leave an object", "invalidPatch")
        return patched


def _apply_json_patch(kind: PatchKind, document: Any, operations: list[Any]) -> Any:
    """JSON Patch; a query's operations each resolved on the document the earlier left."""
    if kind != "query":
        return jsonpatch.apply_patch(document, operations)
    for operation in operations:
        document = jsonpatch.apply_patch(document, expand(operation, document))
    return document


def patch_kind(content_type: str | None, query: bool = False) -> PatchKind:
    """The kind of a PATCH body by its media type; `query`: JSON Patch Query is taken."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in (MERGE, "application/json"):
        return "merge"
    if media == JSON_PATCH:
        return "json"
    if media == JSON_PATCH_QUERY:
        if query:
            return "query"
        raise bad_request(
            f"This API's file does not list JSON Patch Query: use {JSON_PATCH} or {MERGE}",
            "unsupportedPatchFormat",
        )
    raise TmfError(
        415,
        "unsupportedMediaType",
        f"PATCH accepts {MERGE}, application/json or {JSON_PATCH}, not '{media}'",
    )


def parse_patch(kind: PatchKind, body: Any) -> Patch:
    """The body as a patch of its kind (a 400 when it is not one)."""
    if kind == "merge":
        if not isinstance(body, dict):
            raise bad_request("A merge patch must be a JSON object", "invalidPatch")
        return Patch(kind, body)
    if not isinstance(body, list) or not all(_is_operation(op) for op in body):
        raise bad_request(
            "A JSON Patch must be an array of operations with 'op' and 'path'", "invalidPatch"
        )
    return Patch(kind, body)


def refuse_non_patchable(touched: Iterable[str], forbidden: frozenset[str]) -> None:
    refused = sorted(set(touched) & forbidden)
    if refused:
        raise bad_request(
            f"Attribute(s) {', '.join(refused)} cannot be patched", "nonPatchableAttribute"
        )


def refuse_removal(mandatory: frozenset[str], present: Iterable[str], after: Any) -> None:
    """A patch may change what a conformance profile makes mandatory in answers, never remove
    it (`SpecDocument.mandatory`). Only what the entity had is kept to: an entity stored
    before an attribute became mandatory can still be patched."""
    removed = sorted(a for a in mandatory.intersection(present) if a not in after)
    if removed:
        raise bad_request(
            f"Mandatory attribute(s) {', '.join(removed)} cannot be removed", "mandatoryAttribute"
        )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


_OPS = {"add", "remove", "replace", "move", "copy", "test"}


def _is_operation(operation: Any) -> bool:
    return (
        isinstance(operation, dict)
        and operation.get("op") in _OPS
        and isinstance(operation.get("path"), str)
    )


def _first_segment(pointer: str) -> str:
    segment = pointer.lstrip("/").split("/", 1)[0]
    return segment.replace("~1", "/").replace("~0", "~")
