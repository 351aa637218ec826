"""What a v4 client reads of an entity written through v5 is described by the served v4
description: every attribute of its answer is declared there, what only v5 defines as a
marked extension (apis/v4/v5_only.py, tmf/later_versions.py; docs/versions.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from litestar.testing import TestClient

import tests.api.test_v5_catalogs as catalogs
import tests.api.test_v5_inventories as inventories
import tests.api.test_v5_ordering as ordering
from cascade.apis import ALL_APIS
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.later_versions import LaterVersion, properties, target
from cascade.tmf.openapi import served_description
from cascade.tmf.spec import load_swagger
from tests.api.official_schemas import OfficialSchemas

Client = TestClient[Any]
APIS = {api.code: api for api in ALL_APIS}
CODES = ("tmf622", "tmf620", "tmf634", "tmf637", "tmf638", "tmf639")
Schemas = dict[str, Any]


def undeclared(definitions: Schemas, name: str, document: Any, path: str = "") -> list[str]:
    """The attributes of the document its definition does not declare, at any depth (an
    object whose definition declares nothing, such as a characteristic's value, is free)."""
    if isinstance(document, list):
        return [u for each in document for u in undeclared(definitions, name, each, path)]
    declared = properties(definitions, name)
    if not isinstance(document, dict) or not declared:
        return []
    found = []
    for key, value in document.items():
        if key not in declared:
            found.append(f"{path}{key} ({name})")
            continue
        inner = target(declared[key])
        if inner:
            found += undeclared(definitions, inner, value, f"{path}{key}.")
    return found


def defined(schemas: Schemas, name: str, document: Any) -> Any:
    """The document with only what its v5 definition defines (the files' examples carry
    attributes their schemas do not have: `featureCharacteritic`)."""
    if isinstance(document, list):
        return [defined(schemas, name, each) for each in document]
    declared = properties(schemas, name)
    if not isinstance(document, dict) or not declared:
        return document
    kept = {}
    for key, value in document.items():
        if key in declared:
            inner = target(declared[key])
            kept[key] = defined(schemas, inner, value) if inner else value
    return kept


def pair(code: str, resource: ResourceSpec) -> tuple[ApiSpec, ResourceSpec]:
    """The v4 API and resource of the same kind as a v5 resource."""
    v4 = APIS[code]
    found = v4.serves(resource.kind)
    assert found is not None
    return v4, found


def _examples() -> list[tuple[str, str, str]]:
    """(v4 code, v5 resource, example) for each single-entity example of the v5 files whose
    `@type` is the resource's entity or one of its subclasses."""
    found = []
    for code in CODES:
        v5 = APIS[f"{code}v5"]
        schemas = load_swagger(v5.spec_file)["components"]["schemas"]
        for name, example in load_swagger(v5.spec_file)["components"]["examples"].items():
            value = example["value"]
            if not isinstance(value, dict) or "Event" in name or "Job" in name:
                continue
            for resource in v5.resources:
                mapping = schemas[resource.entity].get("discriminator", {}).get("mapping", {})
                if value.get("@type") in {
                    resource.entity,
                    pair(code, resource)[1].entity,
                    *mapping,
                }:
                    found.append((code, resource.name, name))
    return found


EXAMPLES = _examples()


@pytest.mark.parametrize(("code", "resource_name", "example"), EXAMPLES)
def test_official_examples_stored_through_v5_are_described_in_v4(
    code: str, resource_name: str, example: str
) -> None:
    v5 = APIS[f"{code}v5"]
    resource = v5.resource(resource_name)
    assert resource.view is not None
    schemas = load_swagger(v5.spec_file)["components"]["schemas"]
    value = load_swagger(v5.spec_file)["components"]["examples"][example]["value"]
    document = defined(schemas, resource.entity, copy.deepcopy(value))
    stored = resource.view.to_stored(document)
    v4, stored_as = pair(code, resource)
    definitions = served_description(v4, "http://testserver.local")["definitions"]
    assert undeclared(definitions, stored_as.entity, stored) == []


def test_every_api_has_examples_and_its_declarations_are_marked() -> None:
    assert {code for code, _, _ in EXAMPLES} == set(CODES)
    for code in CODES:
        v4 = APIS[code]
        assert isinstance(v4.extensions, LaterVersion), code
        assert (v4.extensions.earlier_file, v4.extensions.later_file) == (
            v4.spec_file,
            APIS[f"{code}v5"].spec_file,
        )
        assert v4.extensions, code
        definitions = served_description(v4, "http://testserver.local")["definitions"]
        for name, attributes in v4.extensions.items():
            official = load_swagger(v4.spec_file)["definitions"][name].get("properties", {})
            for attribute in attributes:
                assert attribute not in official, f"{code} {name}.{attribute}"
                assert definitions[name]["properties"][attribute]["x-cascade-extension"] is True


# What a body has no top-level v5-only attribute for: a reference's `version`, a party role.
ROLE = {"id": "pr-1", "partyId": "party-42", "@type": "PartyRoleRef", "@referredType": "Owner"}
NESTED: dict[str, dict[str, Any]] = {
    "category": {
        "productOffering": [{"id": "po-1", "version": "1", "@type": "ProductOfferingRef"}]
    },
    "productCatalog": {
        "relatedParty": [
            {"role": "owner", "partyOrPartyRole": ROLE, "@type": "RelatedPartyRefOrPartyRoleRef"}
        ]
    },
}


def _written() -> list[tuple[str, str, dict[str, Any]]]:
    """(v4 code, v5 resource, body): each v5 resource's contract body, with the v5-only
    attributes its file defines that a simple value can give."""
    bodies = [
        ("tmf622", "productOrder", ordering.TestProductOrderV5.body),
        *(
            (test.api_code.removesuffix("v5"), test.resource_name, test.body)
            for test in (
                catalogs.TestProductCatalogV5,
                catalogs.TestCategoryV5,
                catalogs.TestProductOfferingV5,
                catalogs.TestProductOfferingPriceV5,
                catalogs.TestProductSpecificationV5,
                catalogs.TestResourceCatalogV5,
                catalogs.TestResourceCategoryV5,
                catalogs.TestResourceCandidateV5,
                catalogs.TestResourceSpecificationV5,
                inventories.TestProductInventoryV5,
                inventories.TestServiceInventoryV5,
                inventories.TestResourceInventoryV5,
            )
        ),
    ]
    extra = {
        "externalIdentifier": [{"id": "ext-1", "owner": "crm", "@type": "ExternalIdentifier"}],
        "creationDate": "2026-01-02T03:04:05Z",
        "availabilityStatus": "degraded",
        "allocationStatus": "allocated",
        "lifecycleState": "installed",
        "unknownStatus": False,
    }
    found = []
    for code, name, body in bodies:
        v5 = APIS[f"{code}v5"]
        defines = properties(
            load_swagger(v5.spec_file)["components"]["schemas"], v5.resource(name).entity
        )
        more = {k: v for k, v in extra.items() if k in defines and k not in body}
        found.append((code, name, {**copy.deepcopy(body), **more, **NESTED.get(name, {})}))
    return found


@pytest.mark.parametrize(("code", "resource_name", "body"), _written())
def test_entities_written_through_v5_read_through_v4_match_its_description(
    client: Client, official: OfficialSchemas, code: str, resource_name: str, body: Any
) -> None:
    v5 = APIS[f"{code}v5"]
    v4, stored_as = pair(code, v5.resource(resource_name))
    created = client.post(f"{v5.base_path}/{resource_name}", json=body)
    assert created.status_code == 201, created.text
    definitions = client.get(f"{v4.base_path}/openapi.json").json()["definitions"]
    url = f"{v4.base_path}/{stored_as.name}"
    answers = [
        client.get(f"{url}/{created.json()['id']}").json(),
        *client.get(url, params={"id": created.json()["id"]}).json(),
    ]
    assert len(answers) == 2
    for answer in answers:
        official.check_shape(v4.spec_file, stored_as.entity, answer)
        assert undeclared(definitions, stored_as.entity, answer) == []
    # Something v4's own file does not declare was written and read back.
    v4_file = load_swagger(v4.spec_file)["definitions"]
    assert undeclared(v4_file, stored_as.entity, answers[0]), "nothing v5-only was written"
