"""TMF620 and TMF634 v5 beside v4 (docs/versions.md): the TMF630 contract run against every
v5 catalog resource, the official examples and the demo catalog's entries round-tripped,
and catalog entries written through v5 read through v4."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest
from litestar.testing import TestClient

from cascade.apis.v5.catalogs import TMF620_V5, TMF634_V5
from cascade.bootstrap import Cascade
from cascade.catalogs import demo_catalog
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import load_swagger
from tests.api.contract import ResourceContract
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_events import outbox

Client = TestClient[Any]
P4, P5 = "/tmf-api/productCatalogManagement/v4", "/tmf-api/productCatalogManagement/v5"
R4, R5 = "/tmf-api/resourceCatalog/v4", "/tmf-api/resourceCatalog/v5"
PERIOD = {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}
PARTY = {
    "role": "owner",
    "partyOrPartyRole": {"id": "party-42", "name": "Alice", "@type": "PartyRef"},
    "@type": "RelatedPartyRefOrPartyRoleRef",
}
V4_NAMES = {"productCatalog": "catalog"}  # a v5 resource's name in the demo catalog file
V4_PARTY = {"id": "party-42", "role": "owner", "@referredType": "Individual"}
HUB: dict[str, Any] = {"callback": "http://127.0.0.1:9/listener", "@type": "Hub"}


def body(entity: str, **extra: Any) -> dict[str, Any]:
    return {
        "@type": entity,
        "name": "Demo",
        "lifecycleStatus": "Active",
        "validFor": PERIOD,
        **extra,
    }


class CatalogV5Contract(ResourceContract):
    text_attribute = "description"
    wrong_type: ClassVar[dict[str, Any]] = {"description": 5}
    non_patchable: ClassVar[tuple[str, ...]] = ("id", "href")
    hub_body = HUB


class TestProductCatalogV5(CatalogV5Contract):
    api_code, resource_name = "tmf620v5", "productCatalog"
    body = body("ProductCatalog", relatedParty=[PARTY])
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")


class TestCategoryV5(CatalogV5Contract):
    api_code, resource_name = "tmf620v5", "category"
    body = body("Category", productOffering=[{"id": "po-1", "@type": "ProductOfferingRef"}])
    dotted = ("productOffering.id", "po-1")


class TestProductOfferingV5(CatalogV5Contract):
    api_code, resource_name = "tmf620v5", "productOffering"
    body = body(
        "ProductOffering",
        productSpecification={"id": "ps-1", "@type": "ProductSpecificationRef"},
    )
    dotted = ("productSpecification.id", "ps-1")


class TestProductOfferingPriceV5(CatalogV5Contract):
    api_code, resource_name = "tmf620v5", "productOfferingPrice"
    body = body("ProductOfferingPrice", priceType="recurring", price={"unit": "EUR", "value": 30})
    dotted = ("price.unit", "EUR")


class TestProductSpecificationV5(CatalogV5Contract):
    api_code, resource_name = "tmf620v5", "productSpecification"
    body = body(
        "ProductSpecification",
        serviceSpecification=[{"id": "cfs-1", "@type": "ServiceSpecificationRef"}],
    )
    dotted = ("serviceSpecification.id", "cfs-1")


class TestResourceCatalogV5(CatalogV5Contract):
    api_code, resource_name = "tmf634v5", "resourceCatalog"
    body = body("ResourceCatalog", relatedParty=[PARTY])
    dotted = ("relatedParty.partyOrPartyRole.id", "party-42")


class TestResourceCategoryV5(CatalogV5Contract):
    api_code, resource_name = "tmf634v5", "resourceCategory"
    body = body(
        "ResourceCategory", resourceCandidate=[{"id": "rc-1", "@type": "ResourceCandidateRef"}]
    )
    dotted = ("resourceCandidate.id", "rc-1")


class TestResourceCandidateV5(CatalogV5Contract):
    api_code, resource_name = "tmf634v5", "resourceCandidate"
    body = body(
        "ResourceCandidate",
        resourceSpecification={"id": "rs-1", "@type": "ResourceSpecificationRef"},
    )
    dotted = ("resourceSpecification.id", "rs-1")


class TestResourceSpecificationV5(CatalogV5Contract):
    api_code, resource_name = "tmf634v5", "resourceSpecification"
    body = body(
        "ResourceSpecification",
        resourceSpecCharacteristic=[
            {"name": "vlanId", "valueType": "integer", "@type": "CharacteristicSpecification"}
        ],
    )
    dotted = ("resourceSpecCharacteristic.name", "vlanId")


def _examples(spec_file: str, suffix: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(file, entity, example) for each single-entity retrieve example of a v5 file."""
    examples = load_swagger(spec_file)["components"]["examples"]
    return [
        (spec_file, name.removesuffix(suffix), copy.deepcopy(example["value"]))
        for name, example in examples.items()
        if name.endswith(suffix) and "Job" not in name
    ]


RETRIEVED = [
    *_examples(TMF620_V5.spec_file, "_retrieve_example_response"),
    *_examples(TMF634_V5.spec_file, "_retrieve_example_response"),
]


@pytest.mark.parametrize(
    ("spec_file", "entity", "document"), RETRIEVED, ids=[e for _, e, _ in RETRIEVED]
)
def test_official_examples_round_trip(spec_file: str, entity: str, document: Any) -> None:
    """Each retrieve example of the files, stored and shown again, is what it was, but for
    the `@type`s the examples use and their file does not define: shown as the class the file
    has there (a v5 reader refuses an unknown discriminator value; docs/versions.md)."""
    api = TMF620_V5 if spec_file == TMF620_V5.spec_file else TMF634_V5
    resource = next(r for r in api.resources if r.entity == entity)
    assert resource.view is not None
    stored = resource.view.to_stored(copy.deepcopy(document))
    assert resource.view.from_stored(stored) == _known_types(document)


UNDEFINED_IN_EXAMPLES = {  # an example's @type its own file does not define -> the file's class
    "AttachmentRefOrValue": "Attachment",
    "ServiceLevelAgreementRef": "SLARef",
    "IntegerCharacteristicValueSpecification": "CharacteristicValueSpecification",
}


def _known_types(value: Any) -> Any:
    if isinstance(value, list):
        return [_known_types(each) for each in value]
    if not isinstance(value, dict):
        return value
    shown = {key: _known_types(each) for key, each in value.items()}
    if shown.get("@type") in UNDEFINED_IN_EXAMPLES:
        shown["@type"] = UNDEFINED_IN_EXAMPLES[shown["@type"]]
    return shown


DEMO = [
    (api, resource, document)
    for api, code in ((TMF620_V5, "tmf620"), (TMF634_V5, "tmf634"))
    for resource in api.resources
    for document in demo_catalog()[code].get(V4_NAMES.get(resource.name, resource.name), [])
]


@pytest.mark.parametrize(
    ("api", "resource", "document"), DEMO, ids=[f"{r.name}-{d['id']}" for _, r, d in DEMO]
)
def test_demo_catalog_entries_round_trip(
    official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec, document: Any
) -> None:
    """Each demo catalog entry (stored as v4 writes it) shown in v5 is valid there, and
    stored again is what it was, but for the classes v5 names (`@type` everywhere)."""
    assert resource.view is not None
    shown = resource.view.from_stored(copy.deepcopy(document))
    official.check(api.spec_file, resource.entity, shown)
    assert only_given_types(resource.view.to_stored(shown), document) == document


def only_given_types(value: Any, original: Any) -> Any:
    """`value` without the `@type`s v5 named where `original` (a v4 document) has none."""
    if isinstance(value, dict) and isinstance(original, dict):
        return {
            k: only_given_types(v, original.get(k))
            for k, v in value.items()
            if k != "@type" or "@type" in original
        }
    if isinstance(value, list) and isinstance(original, list) and len(value) == len(original):
        return [only_given_types(v, o) for v, o in zip(value, original, strict=True)]
    return value


def test_entries_written_in_v5_read_in_v4(client: Client, official: OfficialSchemas) -> None:
    """A category's parent, a party, a characteristic's values: v4 reads them in its terms."""
    parent = client.post(f"{P5}/category", json=body("Category")).json()
    child = {**body("Category"), "parent": {"id": parent["id"], "@type": "CategoryRef"}}
    created = client.post(f"{P5}/category", json=child)
    assert created.status_code == 201, created.text
    v4 = client.get(f"{P4}/category/{created.json()['id']}").json()
    assert v4["parentId"] == parent["id"] and "parent" not in v4
    spec = TestResourceSpecificationV5.body["resourceSpecCharacteristic"][0]
    values = [{"@type": "CharacteristicValueSpecification", "valueType": "integer", "value": 7}]
    written = {
        **body("ResourceSpecification"),
        "relatedParty": [PARTY],
        "resourceSpecCharacteristic": [{**spec, "characteristicValueSpecification": values}],
    }
    answer = client.post(f"{R5}/resourceSpecification", json=written)
    assert answer.status_code == 201, answer.text
    shown = answer.json()
    official.check(TMF634_V5.spec_file, "ResourceSpecification", shown)
    assert shown["resourceSpecCharacteristic"][0]["characteristicValueSpecification"] == values
    v4 = client.get(f"{R4}/resourceSpecification/{shown['id']}").json()
    official.check("TMF634-ResourceCatalog-v4.1.0.swagger.json", "ResourceSpecification", v4)
    assert v4["relatedParty"][0]["id"] == "party-42"
    assert v4["resourceSpecCharacteristic"][0]["resourceSpecCharacteristicValue"] == values
    assert client.get(shown["href"]).json() == shown
    assert shown["href"].startswith(f"http://testserver.local{R5}/resourceSpecification/") or (
        shown["href"].startswith(f"{R5}/resourceSpecification/")
    )


def test_v5_docs_and_descriptions(client: Client) -> None:
    for api in (TMF620_V5, TMF634_V5):
        assert client.get(f"/docs/{api.code}").status_code == 200
        described = client.get(f"{api.base_path}/openapi.json").json()
        assert described["openapi"] == "3.0.1"
        assert described["info"]["version"] == "5.0.0"


def test_a_v5_hub_gets_v5_catalog_envelopes_once(
    client: Client, cascade: Cascade, official: OfficialSchemas
) -> None:
    """A catalog entry written through v4 is announced to the v5 hub in v5 terms, once."""
    hub = client.post(f"{P5}/hub", json=HUB)
    assert hub.status_code == 201, hub.text
    created = client.post(f"{P4}/catalog", json={"name": "Demo", "relatedParty": [V4_PARTY]})
    assert created.status_code == 201, created.text
    recorded = outbox(cascade, created.json()["id"])
    assert [(api, kind) for api, kind, _ in recorded] == [("tmf620v5", "ProductCatalogCreateEvent")]
    envelope = recorded[0][2]
    official.check(TMF620_V5.spec_file, "ProductCatalogCreateEvent", envelope)
    assert envelope["@type"] == "ProductCatalogCreateEvent"
    catalog = envelope["event"]["productCatalog"]
    assert catalog["relatedParty"][0]["partyOrPartyRole"]["id"] == "party-42"
    assert envelope["source"]["href"] == catalog["href"]
    assert f"{P5}/productCatalog/" in catalog["href"]
