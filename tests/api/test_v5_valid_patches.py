"""Valid v5 merge patches are accepted (docs/versions.md), as valid creates are
(tests/api/test_v5_valid_bodies.py): for every v5 resource a client may PATCH, patches
generated valid against the file's patch schema (`..._MVO`; TMF639's `Resource`) are applied
to an entity created through v5, and answered 200, or refused for what a valid patch can
legitimately be refused for (an attribute the server sets, a state the state machine does
not give clients, the chain's integrity), or a documented loss; every 200 is a valid v5
answer and the entity reads back through v4 valid against v4.
"""

from __future__ import annotations

import json
import os
from types import ModuleType
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from litestar.testing import TestClient
from schemathesis import GenerationMode

from cascade.apis.v5 import V5_APIS
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from tests.api import test_v5_catalogs, test_v5_inventories, test_v5_ordering
from tests.api import test_v5_valid_bodies as creates
from tests.api.contract import ResourceContract
from tests.api.official_schemas import OfficialSchemas
from tests.api.v5_generation import generation_document

Client = TestClient[Any]
EXAMPLES = int(os.environ.get("CASCADE_V5_EXAMPLES", "12"))
MERGE = {"Content-Type": "application/merge-patch+json"}
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


@pytest.mark.parametrize(
    ("api", "resource"), PATCHED, ids=[f"{a.code}.{r.name}" for a, r in PATCHED]
)
def test_valid_v5_merge_patches_are_accepted(
    client: Client, official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec
) -> None:
    collection = f"{api.base_path}/{resource.name}"
    created = client.post(collection, json=BODIES[(api.code, resource.name)])
    assert created.status_code == 201, created.text
    url = f"{collection}/{created.json()['id']}"
    document = generation_document(api, {"/patch": resource.update_schema})
    operation = schemathesis.openapi.from_dict(document)["/patch"]["POST"]
    declared = api.spec.shape(resource.update_schema)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def accepted(case: schemathesis.Case[Any]) -> None:
        patch = case.body
        assert isinstance(patch, dict)
        answer = client.patch(url, content=json.dumps(patch), headers=MERGE)
        if answer.status_code == 200:
            creates.read_back(client, official, api, resource, answer.json())
            return
        error = answer.json()
        if (answer.status_code, error.get("code")) in LEGITIMATE:
            return
        if not creates.guarded_loss(str(error.get("message")), patch, PATCH_LOSSES):
            creates.legitimate(answer.status_code, error, patch, declared)

    accepted()
