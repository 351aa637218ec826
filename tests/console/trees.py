"""Product order trees stored as the controllers leave them, for the console's detail tests."""

from __future__ import annotations

import copy
from typing import Any

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.layers.ids import child_id, service_order_ids
from cascade.tmf.declarations import Kind
from tests.api.chain_records import store

PARTY = [{"id": "acme", "role": "customer", "@referredType": "Organization"}]


def item(item_id: str, state: str, action: str = "add") -> dict[str, Any]:
    return {
        "id": item_id,
        "action": action,
        "state": state,
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "speed", "value": "1G"}]},
    }


def product_order(cascade: Cascade, state: str, *items: dict[str, Any]) -> dict[str, Any]:
    asked = copy.deepcopy(list(items))  # the insert sets their states: keep the ones given
    body = {"externalId": "ext-retry", "relatedParty": PARTY, "productOrderItem": asked}
    # Inserted as a client placed it, then with the states fulfilment left (items' too).
    return store(cascade, kinds.PRODUCT_ORDER, body, state=state, productOrderItem=list(items))


def insert(cascade: Cascade, kind: Kind, id_: str, body: dict[str, Any]) -> None:
    repository = cascade.repositories[kind]
    cascade.database.write_sync(lambda c: repository.insert(c, body, id_=id_))


def with_service(cascade: Cascade, order: dict[str, Any], activation_state: str) -> None:
    """The first item's service order, with its TMF640 service in `activation_state` and no
    TMF638 record written (yet)."""
    first = order["productOrderItem"][0]
    so_id = service_order_ids(order["id"], first)[0]
    service_item = {"id": "1", "action": "add", "state": "failed", "service": {"name": "x"}}
    insert(cascade, kinds.SERVICE_ORDER, so_id, {"serviceOrderItem": [service_item]})
    activation = {"state": activation_state}
    insert(cascade, kinds.SERVICE_ACTIVATION, child_id(so_id, "1", "service"), activation)
