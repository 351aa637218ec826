"""TMF620 and TMF634 v5 beside v4 (docs/versions.md): the TMF630 contract run against every
v5 catalog resource, the official examples and the demo catalog's entries round-tripped,
and catalog entries written through v5 read through v4."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import pytest
from litestar.testing import TestClient

from cascade.apis.v5.catalogs import TMF620_V5, TMF634_V5
from cascade.tmf.spec import load_swagger
from tests.api.contract import ResourceContract

Client = TestClient[Any]
P4, P5 = "/tmf-api/productCatalogManagement/v4", "/tmf-api/productCatalogManagement/v5"
R4, R5 = "/tmf-api/resourceCatalog/v4", "/tmf-api/resourceCatalog/v5"
PERIOD = {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}
PARTY = {
    "role": "owner",
    "partyOrPartyRole": {"id": "party-42", "name": "Alice", "@type": "PartyRef"},
    "@type": "RelatedPartyRefOrPartyRoleRef",
}
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
    """Each retrieve example of the files, stored and shown again, is what it was."""
    api = TMF620_V5 if spec_file == TMF620_V5.spec_file else TMF634_V5
    resource = next(r for r in api.resources if r.entity == entity)
    assert resource.view is not None
    stored = resource.view.to_stored(document)
    assert resource.view.from_stored(stored) == document
