"""Orders and inventory records stored as the controllers leave them, for the API tests of
the chain's integrity (no controller runs in those tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.layers.documents import external_ids, external_reference
from cascade.tmf.declarations import Kind

PO = "/tmf-api/productOrderingManagement/v4/productOrder"
SO = "/tmf-api/serviceOrdering/v4/serviceOrder"
RO = "/tmf-api/resourceOrderingManagement/v4/resourceOrder"
PRODUCTS = "/tmf-api/productInventory/v4/product"
SERVICES = "/tmf-api/serviceInventory/v4/service"
RESOURCES = "/tmf-api/resourceInventoryManagement/v4/resource"
SERVICE_ACTIVATIONS = "/tmf-api/ServiceActivationAndConfiguration/v4/service"
RESOURCE_ACTIVATIONS = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"
MERGE = {"content-type": "application/merge-patch+json"}
SPEC = {"id": "spec-1", "name": "Spec"}


def store(cascade: Cascade, kind: Kind, body: dict[str, Any], **then: Any) -> dict[str, Any]:
    """Insert as a controller does, then set `then` (states, say) as it would later."""
    repository = cascade.repositories[kind]

    def job(connection: Any) -> dict[str, Any]:
        saved = repository.insert(connection, body)
        loaded = repository.load(connection, saved.id)
        assert loaded is not None
        loaded.document.update(then)
        repository.save(connection, loaded)
        return loaded.document

    result: dict[str, Any] = cascade.database.write_sync(job)
    return result


def product_order(cascade: Cascade, state: str, product_id: str = "p-none") -> dict[str, Any]:
    item = {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
    item["product"] = {"id": product_id}
    return store(cascade, kinds.PRODUCT_ORDER, {"productOrderItem": [item]}, state=state)


def service_order(
    cascade: Cascade,
    state: str,
    parent: Mapping[str, Any] | None = None,
    service_id: str = "s-none",
) -> dict[str, Any]:
    item = {"id": "1", "action": "add", "service": {"id": service_id, "serviceSpecification": SPEC}}
    body: dict[str, Any] = {"serviceOrderItem": [item]}
    if parent is not None:
        body["externalReference"] = external_reference(parent, "1", "ProductOrder")
    return store(cascade, kinds.SERVICE_ORDER, body, state=state)


def resource_order(
    cascade: Cascade,
    state: str,
    parent: Mapping[str, Any] | None = None,
    resource_id: str = "r-none",
) -> dict[str, Any]:
    resource = {"id": resource_id, "href": f"http://x/{resource_id}", "resourceSpecification": SPEC}
    body: dict[str, Any] = {"orderItem": [{"id": "1", "action": "add", "resource": resource}]}
    if parent is not None:
        body["externalReference"] = external_ids(parent, "1", "ServiceOrder")
    return store(cascade, kinds.RESOURCE_ORDER, body, state=state)


def ref(document: Mapping[str, Any], referred_type: str) -> dict[str, Any]:
    return {"id": document["id"], "href": document["href"], "@referredType": referred_type}


def product(cascade: Cascade, status: str, *services: Mapping[str, Any]) -> dict[str, Any]:
    body = {"name": "Fibre", "realizingService": [ref(s, "Service") for s in services]}
    return store(cascade, kinds.PRODUCT, body, status=status)


def service(
    cascade: Cascade,
    state: str,
    resources: tuple[Mapping[str, Any], ...] = (),
    services: tuple[Mapping[str, Any], ...] = (),
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Access", "serviceSpecification": SPEC}
    if resources:
        body["supportingResource"] = [ref(r, "Resource") for r in resources]
    if services:
        body["supportingService"] = [ref(s, "Service") for s in services]
    return store(cascade, kinds.SERVICE, body, state=state)


LIVE_RESOURCE = {"resourceStatus": "available", "administrativeState": "unlocked"}
CEASED_RESOURCE = {
    "resourceStatus": "standby",
    "administrativeState": "locked",
    "usageState": "idle",
}


def resource(cascade: Cascade, **states: Any) -> dict[str, Any]:
    body = {"name": "port", "resourceSpecification": SPEC}
    return store(cascade, kinds.RESOURCE, body, **states)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """The TMF Error of a refused request, checked for its status and code."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == str(status) and body["reason"] and body["message"]
    return body
