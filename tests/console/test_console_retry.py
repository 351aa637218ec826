"""Retrying a failed activation from the console: a new TMF622 order for the failed `add`
items, placed through the API's create, offered only where nothing of them is live."""

from __future__ import annotations

import copy
from typing import Any

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.layers.ids import child_id, service_order_ids
from cascade.tmf.declarations import Kind
from tests.api.chain_records import PO, store
from tests.console.helpers import Client, post_form

PARTY = [{"id": "acme", "role": "customer", "@referredType": "Organization"}]


def _item(item_id: str, state: str, action: str = "add") -> dict[str, Any]:
    return {
        "id": item_id,
        "action": action,
        "state": state,
        "productOffering": {"id": "po-fibre-broadband"},
        "product": {"productCharacteristic": [{"name": "speed", "value": "1G"}]},
    }


def ended_order(cascade: Cascade, state: str, *items: dict[str, Any]) -> dict[str, Any]:
    asked = copy.deepcopy(list(items))  # the insert sets their states: keep the ones given
    body = {"externalId": "ext-retry", "relatedParty": PARTY, "productOrderItem": asked}
    # Inserted as a client placed it, then with the states fulfilment left (items' too).
    return store(cascade, kinds.PRODUCT_ORDER, body, state=state, productOrderItem=list(items))


def insert(cascade: Cascade, kind: Kind, id_: str, body: dict[str, Any]) -> None:
    repository = cascade.repositories[kind]
    cascade.database.write_sync(lambda c: repository.insert(c, body, id_=id_))


def with_live_service(cascade: Cascade, order: dict[str, Any]) -> None:
    """The failed item's service order, with its TMF640 service still active on the network."""
    item = order["productOrderItem"][0]
    so_id = service_order_ids(order["id"], item)[0]
    service_item = {"id": "1", "action": "add", "state": "failed", "service": {"name": "x"}}
    insert(cascade, kinds.SERVICE_ORDER, so_id, {"serviceOrderItem": [service_item]})
    insert(cascade, kinds.SERVICE_ACTIVATION, child_id(so_id, "1", "service"), {"state": "active"})


def orders(client: Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(PO).json()
    return found


def test_a_failed_order_is_retried_once_as_a_new_order(client: Client, cascade: Cascade) -> None:
    failed = ended_order(cascade, "partial", _item("1", "completed"), _item("2", "failed"))
    detail = f"/console/productOrder/{failed['id']}"
    page = client.get(detail).text
    assert 'data-action="retry"' in page, page.split("<main")[1][:1500]
    assert 'data-confirm="Place a new product order' in page
    done = post_form(client, f"{detail}/retry", detail)
    assert "Retry order" in done.text and "for item(s) 2" in done.text
    placed = [order for order in orders(client) if order["id"] != failed["id"]]
    assert len(placed) == 1
    retry = placed[0]
    assert retry["state"] == "acknowledged"
    assert [item["id"] for item in retry["productOrderItem"]] == ["2"]
    assert retry["productOrderItem"][0]["product"]["productCharacteristic"][0]["value"] == "1G"
    assert retry["relatedParty"][0]["id"] == "acme" and retry["externalId"] == "ext-retry"
    assert failed["id"] in retry["description"]
    again = post_form(client, f"{detail}/retry", detail)  # a second click: the same order
    assert retry["id"] in again.text
    assert len(orders(client)) == 2
    assert client.get(f"{PO}/{failed['id']}").json()["state"] == "partial"  # final, unchanged


def test_no_retry_while_an_activation_is_live(client: Client, cascade: Cascade) -> None:
    failed = ended_order(cascade, "failed", _item("1", "failed"))
    with_live_service(cascade, failed)
    detail = f"/console/productOrder/{failed['id']}"
    page = client.get(detail).text
    assert 'data-action="retry"' not in page
    assert "not retried from here" in page and "(active) is still live" in page
    refused = post_form(client, f"{detail}/retry", detail)  # posted anyway: refused
    assert "Refused (409 retryNotSafe)" in refused.text
    assert len(orders(client)) == 1


def test_no_retry_of_a_modify_or_of_an_order_that_did_not_fail(
    client: Client, cascade: Cascade
) -> None:
    modify = ended_order(cascade, "failed", _item("1", "failed", action="modify"))
    detail = f"/console/productOrder/{modify['id']}"
    assert "is a failed modify" in client.get(detail).text
    assert "Refused (409" in post_form(client, f"{detail}/retry", detail).text
    done = ended_order(cascade, "completed", _item("1", "completed"))
    detail = f"/console/productOrder/{done['id']}"
    assert 'data-action="retry"' not in client.get(detail).text
    refused = post_form(client, f"{detail}/retry", detail)
    assert "Refused (409" in refused.text and "only a failed or partial" in refused.text
    assert len(orders(client)) == 2
