"""The issue's examples through a running chain: a running order, a completed order and an
active product are not deleted (409); once ceased, the whole chain can be deleted, and at no
point is anything deleted that a record or an order still names (issue 15, section 2)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, RO, SO, Chain, broadband
from tests.gate import Gate

PRODUCT = "/tmf-api/productInventory/v4/product"
SERVICE = "/tmf-api/serviceInventory/v4/service"
RESOURCE = "/tmf-api/resourceInventoryManagement/v4/resource"
MERGE = {"content-type": "application/merge-patch+json"}


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def refused(chain: Chain, url: str, code: str) -> None:
    response = chain.client.delete(url)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == code
    assert chain.client.get(url).status_code == 200


def records(chain: Chain, product_id: str) -> list[str]:
    """The product's records, each before the ones it names (product, services, resources)."""
    found, todo = [f"{PRODUCT}/{product_id}"], [f"{PRODUCT}/{product_id}"]
    while todo:
        record = chain.get(todo.pop(0))
        named = [f"{SERVICE}/{r['id']}" for r in record.get("realizingService", [])]
        named += [f"{SERVICE}/{r['id']}" for r in record.get("supportingService", [])]
        named += [f"{RESOURCE}/{r['id']}" for r in record.get("supportingResource", [])]
        found += [url for url in named if url not in found]
        todo += named
    return sorted(found, key=lambda url: [PRODUCT, SERVICE, RESOURCE].index(url.rsplit("/", 1)[0]))


def orders(chain: Chain, order_id: str) -> list[str]:
    """A product order's tree, each order after the ones it placed (bottom up)."""
    found = []
    for service_order in chain.get(SO, **{"externalReference.id": order_id}):
        for resource_order in chain.get(RO, **{"externalReference.id": service_order["id"]}):
            found.append(f"{RO}/{resource_order['id']}")
        found.append(f"{SO}/{service_order['id']}")
    return [*found, f"{PO}/{order_id}"]


def delete_all(chain: Chain, urls: list[str]) -> None:
    """Delete every entity, each refused (409) until what names it has gone first."""
    left = list(urls)
    while left:
        answers = {url: chain.client.delete(url).status_code for url in left}
        assert set(answers.values()) <= {204, 409}, answers
        assert 204 in answers.values(), f"nothing more can be deleted: {left}"
        left = [url for url, status in answers.items() if status == 409]
    assert all(chain.client.get(url).status_code == 404 for url in urls)


def test_a_chain_is_deleted_only_once_it_has_ended_and_been_ceased(
    chain: Chain, gate: Gate
) -> None:
    with gate.closed("rs-gpon-port"):  # the order still runs when deleted
        placed = chain.place(broadband())
        refused(chain, f"{PO}/{placed['id']}", "orderNotEnded")
    added = chain.wait_for(placed["id"])
    assert added["state"] == "completed", added.get("note")
    refused(chain, f"{PO}/{added['id']}", "madeRecordsLive")
    product_id = added["productOrderItem"][0]["product"]["id"]
    installed = records(chain, product_id)
    for url in installed:
        refused(chain, url, "recordLive")
    terminated = chain.client.patch(installed[0], json={"status": "terminated"}, headers=MERGE)
    assert terminated.status_code == 409, terminated.text
    assert chain.get(installed[0])["status"] == "active"

    cease = {"id": "1", "action": "delete", "product": {"id": product_id}}
    ceased = chain.wait_for(chain.place(cease)["id"])
    assert ceased["state"] == "completed", ceased.get("note")
    every_order = orders(chain, ceased["id"]) + orders(chain, added["id"])
    delete_all(chain, [*installed, *reversed(every_order)])
    assert chain.get(PRODUCT) == [] and chain.get(SO) == [] and chain.get(RO) == []


def test_a_completed_order_with_ceased_records_is_history(chain: Chain) -> None:
    """Ceased, the records go first; then the orders, from the bottom up."""
    added = chain.wait_for(chain.place(broadband())["id"])
    product_id = added["productOrderItem"][0]["product"]["id"]
    chain.wait_for(
        chain.place({"id": "1", "action": "delete", "product": {"id": product_id}})["id"]
    )
    refused(chain, f"{PO}/{added['id']}", "childOrdersExist")
    first_service_order = orders(chain, added["id"])[-2]
    refused(chain, first_service_order, "childOrdersExist")
