"""Valid v5 merge patches are accepted (docs/versions.md), as valid creates are
(tests/api/test_v5_valid_bodies.py): for every v5 resource a client may PATCH, patches
generated valid against the file's patch schema (`..._MVO`; TMF639's `Resource`) are applied
to an entity created through v5, and answered 200, or refused for what a valid patch can
legitimately be refused for (an attribute the server sets, a state the state machine does
not give clients, the chain's integrity), or a documented loss; every 200 is a valid v5
answer and the entity reads back through v4 valid against v4. The same patch objects are
sent as JSON Patch (and JSON Patch Query, where an entry is selected by its id), operations
on the entity as v5 shows it; one that leaves an entity the v5 file refuses (a reference's
`id` removed) must be refused (ADR 0036, amended by ADR 0038).
"""

from __future__ import annotations

import json
import random
import zlib
from types import ModuleType
from typing import Any

import jsonpatch
import pytest
import schemathesis
from hypothesis import given
from litestar.testing import TestClient
from schemathesis import GenerationMode

from cascade.apis.v5 import V5_APIS
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from tests.api import test_v5_catalogs, test_v5_inventories, test_v5_ordering
from tests.api import test_v5_valid_bodies as creates
from tests.api.contract import ResourceContract
from tests.api.official_schemas import OfficialSchemas
from tests.api.v5_generation import BOUNDED, generation_document

Client = TestClient[Any]
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
JSON_PATCH_QUERY = {"Content-Type": "application/json-patch-query+json"}  # every v5 PATCH
# What a valid patch may be refused for, besides what a create may: (status, code) -> why.
LEGITIMATE = {
    **creates.LEGITIMATE,
    (400, "nonPatchableAttribute"): "an attribute the server sets (id, href, dates)",
    (409, "invalidStateTransition"): "a state the state machine does not give clients",
    (409, "chainReferenceChanged"): "a live record's chain references go through orders",
    (409, "recordsBelowLive"): "a record ends only once what it is built from has",
    (409, "recordInUse"): "a record ends only once nothing live names it",
}

# What v4 requires and a v5 patch schema leaves optional, in a patch that replaces a list
# (a merge patch replaces lists whole): a pattern of the 400's message -> (the list the patch
# gives, the v5 attribute an entry of it lacks; empty: any patch), why. Each is in
# docs/versions.md's "What is lost where".
PATCH_LOSSES = {
    r"agreement\[\d+\] must contain \['id'\]": (
        ("agreementItem", "agreementId"),
        "an agreement item without agreementId (v4 requires the agreement's id)",
    ),
    r"productOrderItem\[\d+\] must contain \['id'\]": (
        ("productOrderItem", "id"),
        "an order item without id (v4 requires it)",
    ),
    r"quoteItem must contain \['id'\]": (
        ("quoteItem", "quoteItemId"),
        "a quote item reference without quoteItemId (v4 requires the item's id)",
    ),
    r"productOfferingQualificationItem must contain \['id'\]": (
        ("productOfferingQualificationItem", "itemId"),
        "a qualification item reference without itemId (v4 requires the item's id)",
    ),
    # Beyond ids (above: their v5 names differ), anything v4 requires that the patch schema
    # leaves optional: a place's role, a characteristic's name, a price alteration's type...
    r"must contain \['(?!id')[^']+'\] properties": (
        ("", ""),
        "an attribute v4 requires and v5's patch schema (`..._MVO`) leaves optional",
    ),
}


def _bodies(*modules: ModuleType) -> dict[tuple[str, str], dict[str, Any]]:
    """The create body of each v5 resource's contract test, by (API code, resource)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for module in modules:
        for value in vars(module).values():
            concrete = isinstance(value, type) and issubclass(value, ResourceContract)
            if concrete and "api_code" in dir(value) and "body" in dir(value):
                found[(value.api_code, value.resource_name)] = value.body
    return found


BODIES = _bodies(test_v5_catalogs, test_v5_inventories, test_v5_ordering)
PATCHED = [(a, r) for a, r in creates.OPERATIONS if r.name != "cancelProductOrder"]


def test_every_patchable_v5_resource_is_generated() -> None:
    assert {(a.code, r.name) for a, r in PATCHED} <= set(BODIES)
    assert len(PATCHED) == sum(len(api.resources) for api in V5_APIS) - 1


def created_and_patches(client: Client, api: ApiSpec, resource: ResourceSpec) -> tuple[str, Any]:
    """A created entity's URL, and the operation whose bodies are the resource's patches."""
    collection = f"{api.base_path}/{resource.name}"
    created = client.post(collection, json=BODIES[(api.code, resource.name)])
    assert created.status_code == 201, created.text
    document = generation_document(api, {"/patch": resource.update_schema})
    operation = schemathesis.openapi.from_dict(document)["/patch"]["POST"]
    return f"{collection}/{created.json()['id']}", operation


@pytest.mark.parametrize(
    ("api", "resource"), PATCHED, ids=[f"{a.code}.{r.name}" for a, r in PATCHED]
)
def test_valid_v5_merge_patches_are_accepted(
    client: Client, official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec
) -> None:
    url, operation = created_and_patches(client, api, resource)

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def accepted(case: schemathesis.Case[Any]) -> None:
        patch = case.body
        assert isinstance(patch, dict)
        answer = client.patch(url, content=json.dumps(patch), headers=MERGE)
        _judged(client, official, api, resource, answer, patch)

    accepted()


@pytest.mark.parametrize(
    ("api", "resource"), PATCHED, ids=[f"{a.code}.{r.name}" for a, r in PATCHED]
)
def test_valid_v5_json_patches_are_accepted(
    client: Client, official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec
) -> None:
    """The same with JSON Patch (RFC 6902, which every v5 file lists for PATCH): each
    generated patch object becomes operations on the entity as v5 shows it (`operations`)."""
    url, operation = created_and_patches(client, api, resource)
    kept = api.spec.mandatory(resource.entity)

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def accepted(case: schemathesis.Case[Any]) -> None:
        generated = case.body
        assert isinstance(generated, dict)
        shown = client.get(url)
        assert shown.status_code == 200, shown.text
        patch = operations(generated, shown.json(), kept)
        query = queried(patch, shown.json())
        sent, media = (query, JSON_PATCH_QUERY) if query else (patch, JSON_PATCH)
        answer = client.patch(url, content=json.dumps(sent), headers=media)
        patched = jsonpatch.apply_patch(shown.json(), patch)
        if not _valid(official, api, resource, patched):  # e.g. a reference's id removed
            refusal = (answer.status_code, answer.json().get("code"))
            assert refusal == (400, "invalidBody") or refusal in LEGITIMATE, answer.text
            return
        touched = {_unescaped(op["path"].split("/")[1]) for op in patch}
        given = {name: patched[name] for name in touched if name in patched}
        _judged(client, official, api, resource, answer, given)

    accepted()


def operations(
    generated: dict[str, Any], shown: dict[str, Any], kept: frozenset[str]
) -> list[dict[str, Any]]:
    """JSON Patch operations from a generated patch object, on the entity as v5 `shown` it.
    An attribute the entity lacks is added; one it has is replaced, removed (unless every
    answer must carry it: `kept`), or, a list, appended to (`/name/-`) or changed in its
    first entry (replaced by a generated entry, removed, or changed the same way as an
    object), or, an object, changed key by key the same way, at any depth. Every value given
    is a generated one, valid where the patch schema puts it. Seeded by the object: a run
    draws the same operations each time."""
    chosen = random.Random(zlib.crc32(json.dumps(generated, sort_keys=True).encode()))
    found: list[dict[str, Any]] = []
    for name, value in generated.items():
        path = "/" + name.replace("~", "~0").replace("/", "~1")
        found += _changes(path, value, shown.get(name), name not in kept, chosen)
    return found


def queried(patch: list[dict[str, Any]], shown: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The same operations as JSON Patch Query (TMF630), when one of them changes a list's
    entry that the entry's `id` alone selects (`/relatedParty/0` as `/relatedParty?id=7`);
    else None, as when another path holds what a query path reads as its syntax."""
    if any(set("?[$") & set(operation["path"]) for operation in patch):
        return None
    rewritten = [_by_id(operation, shown) for operation in patch]
    return rewritten if rewritten != patch else None


def _by_id(operation: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    steps = operation["path"].split("/")
    entries = shown.get(_unescaped(steps[1]))
    if len(steps) != 3 or steps[2] != "0" or not isinstance(entries, list):
        return operation
    id_ = entries[0].get("id") if isinstance(entries[0], dict) else None
    ids = [entry.get("id") for entry in entries if isinstance(entry, dict)]
    if isinstance(id_, str) and id_.isalnum() and ids.count(id_) == 1:
        return {**operation, "path": f"/{steps[1]}?id={id_}"}
    return operation


def _unescaped(step: str) -> str:
    return step.replace("~1", "/").replace("~0", "~")


def _changes(
    path: str, value: Any, had: Any, removable: bool, chosen: random.Random
) -> list[dict[str, Any]]:
    if had is None:
        return [{"op": "add", "path": path, "value": value}]
    how = chosen.choice(("replace", "remove", "inside") if removable else ("replace", "inside"))
    if how == "inside" and isinstance(value, list) and isinstance(had, list):
        if not value or not had or chosen.random() < 1 / 3:
            return [{"op": "add", "path": f"{path}/-", "value": each} for each in value]
        entry = chosen.choice(("remove", "replace", "inside"))
        if entry == "inside" and isinstance(value[0], dict) and isinstance(had[0], dict):
            return _changes(f"{path}/0", value[0], had[0], False, chosen)
        if entry == "remove":
            return [{"op": "remove", "path": f"{path}/0"}]
        return [{"op": "replace", "path": f"{path}/0", "value": value[0]}]
    if how == "inside" and isinstance(value, dict) and isinstance(had, dict):
        inner: list[dict[str, Any]] = []
        for key, each in value.items():
            step = key.replace("~", "~0").replace("/", "~1")
            inner += _changes(f"{path}/{step}", each, had.get(key), True, chosen)
        return inner
    if how == "remove":
        return [{"op": "remove", "path": path}]
    return [{"op": "replace", "path": path, "value": value}]


def _valid(
    official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec, document: dict[str, Any]
) -> bool:
    """Whether the entity a JSON Patch leaves is one the v5 file allows (a patch valid op
    by op may still remove what the entity requires)."""
    try:
        official.check_shape(api.spec_file, resource.entity, document)
    except AssertionError:
        return False
    return True


def _judged(
    client: Client,
    official: OfficialSchemas,
    api: ApiSpec,
    resource: ResourceSpec,
    answer: Any,
    given: dict[str, Any],
) -> None:
    """A 200 is a valid v5 answer whose entity reads back valid through v4; anything else is
    a legitimate refusal or a documented loss (`given`: what the patch leaves of the
    attributes it touches)."""
    if answer.status_code == 200:
        creates.read_back(client, official, api, resource, answer.json())
        return
    error = answer.json()
    if (answer.status_code, error.get("code")) in LEGITIMATE:
        return
    if not creates.guarded_loss(str(error.get("message")), given, PATCH_LOSSES):
        declared = api.spec.shape(resource.update_schema)
        creates.legitimate(answer.status_code, error, given, declared)
