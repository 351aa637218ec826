"""The TMF630 contract, run for every resource of the eleven APIs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar

import pytest

from cascade.bootstrap import Cascade
from tests.api.contract import ResourceContract

PARTY = {
    "id": "party-42",
    "name": "Alice",
    "role": "customer",
    "@type": "RelatedParty",
    "@referredType": "Individual",
}
SPEC_REF = {"id": "spec-1", "href": "http://catalog.example/spec-1", "name": "Spec"}
PERIOD = {"startDateTime": "2026-01-01T00:00:00+01:00"}
DESCRIPTION_INT = {"description": 5}


class CancelContract(ResourceContract):
    """A cancel task resource as a plain TMF630 resource: the create that checks the target
    order and refuses a second request (tests/fulfilment/test_cancellation.py) is set aside,
    so these tests can create many tasks for an order that does not exist."""

    @pytest.fixture(autouse=True)
    def plain_create(self, cascade: Cascade) -> Iterator[None]:
        resource = cascade.resources[self.api.route_prefix(self.resource)]
        behaviour = resource.behaviour
        resource.behaviour = replace(behaviour, create=None)
        yield
        resource.behaviour = behaviour


def catalog_body(**extra: Any) -> dict[str, Any]:
    return {"name": "Demo", "lifecycleStatus": "Active", "validFor": PERIOD, **extra}


# --- TMF622 -------------------------------------------------------------------------------


class TestProductOrder(ResourceContract):
    api_code, resource_name = "tmf622", "productOrder"
    body = {
        "externalId": "ext-1",
        "relatedParty": [PARTY],
        "requestedStartDate": "2026-12-01T09:00:00+01:00",
        "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}},
            {"id": "2", "action": "add", "productOffering": {"id": "po-iptv"}},
        ],
    }
    text_attribute = "description"
    dotted = ("relatedParty.id", "party-42")
    wrong_type = {"productOrderItem": [{"id": "1", "action": "explode"}]}
    server_set = {"state": "acknowledged"}
    ended: ClassVar[dict[str, Any]] = {"state": "completed"}
    non_patchable = ("id", "href", "orderDate")


class TestCancelProductOrder(CancelContract):
    api_code, resource_name = "tmf622", "cancelProductOrder"
    body = {"productOrder": {"id": "order-1"}, "requestedCancellationDate": "2026-12-01T00:00:00Z"}
    text_attribute = "cancellationReason"
    dotted = ("productOrder.id", "order-1")
    wrong_type = {"productOrder": "order-1"}
    server_set = {"state": "acknowledged"}


# --- TMF641 -------------------------------------------------------------------------------


class TestServiceOrder(ResourceContract):
    api_code, resource_name = "tmf641", "serviceOrder"
    body = {
        "relatedParty": [PARTY],
        "serviceOrderItem": [
            {"id": "1", "action": "add", "service": {"serviceSpecification": SPEC_REF}}
        ],
    }
    text_attribute = "description"
    dotted = ("serviceOrderItem.service.serviceSpecification.id", "spec-1")
    wrong_type = {"serviceOrderItem": [{"id": "1", "action": "add"}]}
    server_set = {"state": "acknowledged"}
    ended: ClassVar[dict[str, Any]] = {"state": "completed"}
    non_patchable = ("id", "href", "orderDate", "startDate")


class TestCancelServiceOrder(CancelContract):
    api_code, resource_name = "tmf641", "cancelServiceOrder"
    body = {"serviceOrder": {"id": "order-1"}}
    text_attribute = "cancellationReason"
    dotted = ("serviceOrder.id", "order-1")
    wrong_type = {"serviceOrder": {"id": 7}}
    server_set = {"state": "accepted"}


# --- TMF652 -------------------------------------------------------------------------------


class TestResourceOrder(ResourceContract):
    api_code, resource_name = "tmf652", "resourceOrder"
    body = {
        "relatedParty": [PARTY],
        "orderItem": [
            {
                "id": "1",
                "action": "add",
                "resource": {"id": "r-1", "href": "http://inventory.example/r-1"},
                "resourceSpecification": SPEC_REF,
            }
        ],
    }
    text_attribute = "description"
    dotted = ("orderItem.resourceSpecification.id", "spec-1")
    wrong_type = {"orderItem": [{"id": "1", "action": "no_change", "resource": {}}]}
    server_set = {"state": "acknowledged"}
    ended: ClassVar[dict[str, Any]] = {"state": "completed"}
    non_patchable = ("id", "href", "orderDate", "completionDate")


class TestCancelResourceOrder(CancelContract):
    api_code, resource_name = "tmf652", "cancelResourceOrder"
    body = {"resourceOrder": {"id": "order-1"}}
    text_attribute = "cancellationReason"
    dotted = ("resourceOrder.id", "order-1")
    wrong_type = {"resourceOrder": []}
    server_set = {"state": "acknowledged"}


# --- TMF640 and TMF702 --------------------------------------------------------------------


class TestActivationService(ResourceContract):
    api_code, resource_name = "tmf640", "service"
    body = {"state": "active", "serviceSpecification": SPEC_REF, "relatedParty": [PARTY]}
    text_attribute = "description"
    dotted = ("serviceSpecification.id", "spec-1")
    wrong_type = {"state": "switchedOn"}
    ended: ClassVar[dict[str, Any]] = {"state": "terminated"}
    non_patchable = ("id", "href", "serviceDate")


class TestServiceActivationMonitor(ResourceContract):
    api_code, resource_name = "tmf640", "monitor"
    body = {
        "state": "completed",
        "request": {
            "method": "POST",
            "href": "http://x/service",
            "body": "{}",
            "header": [{"name": "Accept", "value": "application/json"}],
        },
    }
    text_attribute = "sourceHref"
    dotted = ("request.method", "POST")
    wrong_type = {"state": 3}


class TestActivationResource(ResourceContract):
    api_code, resource_name = "tmf702", "resource"
    body = {"name": "vlan-100", "resourceSpecification": SPEC_REF, "resourceStatus": "reserved"}
    text_attribute = "description"
    dotted = ("resourceSpecification.id", "spec-1")
    wrong_type = {"resourceStatus": "exploded"}
    ended: ClassVar[dict[str, Any]] = {"resourceStatus": "standby", "administrativeState": "locked"}


class TestResourceActivationMonitor(TestServiceActivationMonitor):
    api_code, resource_name = "tmf702", "monitor"


# --- Catalogs -----------------------------------------------------------------------------


class CatalogContract(ResourceContract):
    text_attribute = "description"
    wrong_type = DESCRIPTION_INT
    non_patchable: ClassVar[tuple[str, ...]] = ("id", "href", "lastUpdate")


class TestProductCatalog(CatalogContract):
    api_code, resource_name = "tmf620", "catalog"
    body = catalog_body(relatedParty=[PARTY])
    dotted = ("relatedParty.id", "party-42")


class TestProductCategory(CatalogContract):
    api_code, resource_name = "tmf620", "category"
    body = catalog_body(productOffering=[{"id": "po-1", "name": "Fibre"}])
    dotted = ("productOffering.id", "po-1")


class TestProductOffering(CatalogContract):
    api_code, resource_name = "tmf620", "productOffering"
    body = catalog_body(productSpecification={"id": "ps-1", "name": "Fibre"})
    dotted = ("productSpecification.id", "ps-1")


class TestProductOfferingPrice(CatalogContract):
    api_code, resource_name = "tmf620", "productOfferingPrice"
    body = catalog_body(priceType="recurring", price={"unit": "EUR", "value": 30})
    dotted = ("price.unit", "EUR")


class TestProductSpecification(CatalogContract):
    api_code, resource_name = "tmf620", "productSpecification"
    body = catalog_body(serviceSpecification=[{"id": "cfs-1", "name": "Internet"}])
    dotted = ("serviceSpecification.id", "cfs-1")


class CatalogV4Contract(CatalogContract):
    """TMF633 and TMF634 let lastUpdate be patched (their _Update schemas list it)."""

    non_patchable: ClassVar[tuple[str, ...]] = ("id", "href")


class TestServiceCatalog(CatalogV4Contract):
    api_code, resource_name = "tmf633", "serviceCatalog"
    body = catalog_body(relatedParty=[PARTY])
    dotted = ("relatedParty.id", "party-42")


class TestServiceCategory(CatalogV4Contract):
    api_code, resource_name = "tmf633", "serviceCategory"
    body = catalog_body(serviceCandidate=[{"id": "sc-1", "name": "Internet"}])
    dotted = ("serviceCandidate.id", "sc-1")


class TestServiceCandidate(CatalogV4Contract):
    api_code, resource_name = "tmf633", "serviceCandidate"
    body = catalog_body(serviceSpecification={"id": "cfs-1", "name": "Internet"})
    dotted = ("serviceSpecification.id", "cfs-1")


class TestServiceSpecification(CatalogV4Contract):
    api_code, resource_name = "tmf633", "serviceSpecification"
    body = catalog_body(resourceSpecification=[{"id": "rs-1", "name": "VLAN"}])
    dotted = ("resourceSpecification.id", "rs-1")


class TestResourceCatalog(CatalogV4Contract):
    api_code, resource_name = "tmf634", "resourceCatalog"
    body = catalog_body(relatedParty=[PARTY])
    dotted = ("relatedParty.id", "party-42")


class TestResourceCategory(CatalogV4Contract):
    api_code, resource_name = "tmf634", "resourceCategory"
    body = catalog_body(resourceCandidate=[{"id": "rc-1", "name": "VLAN"}])
    dotted = ("resourceCandidate.id", "rc-1")


class TestResourceCandidate(CatalogV4Contract):
    api_code, resource_name = "tmf634", "resourceCandidate"
    body = catalog_body(resourceSpecification={"id": "rs-1", "name": "VLAN"})
    dotted = ("resourceSpecification.id", "rs-1")


class TestResourceSpecification(CatalogV4Contract):
    api_code, resource_name = "tmf634", "resourceSpecification"
    body = catalog_body(resourceSpecCharacteristic=[{"name": "vlanId", "valueType": "integer"}])
    dotted = ("resourceSpecCharacteristic.name", "vlanId")


# --- Inventories --------------------------------------------------------------------------


class TestProductInventory(ResourceContract):
    api_code, resource_name = "tmf637", "product"
    body = {"status": "active", "name": "Fibre", "productOffering": {"id": "po-1"}}
    text_attribute = "description"
    dotted = ("productOffering.id", "po-1")
    wrong_type = {"status": "sleeping"}
    ended: ClassVar[dict[str, Any]] = {"status": "terminated"}


class TestServiceInventory(ResourceContract):
    api_code, resource_name = "tmf638", "service"
    body = {"state": "active", "serviceSpecification": SPEC_REF, "relatedParty": [PARTY]}
    text_attribute = "description"
    dotted = ("relatedParty.id", "party-42")
    wrong_type = {"isStateful": "yes"}
    ended: ClassVar[dict[str, Any]] = {"state": "terminated"}
    non_patchable = ("id", "href")


class TestResourceInventory(ResourceContract):
    api_code, resource_name = "tmf639", "resource"
    body = {"name": "vlan-100", "resourceSpecification": SPEC_REF, "relatedParty": [PARTY]}
    text_attribute = "description"
    dotted = ("relatedParty.id", "party-42")
    wrong_type = {"resourceStatus": "exploded"}
