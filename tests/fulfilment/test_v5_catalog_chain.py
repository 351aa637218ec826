"""Catalog entries written through TMF620 v5 are the catalog a v4 order is fulfilled from
(issue 17): one store, two views of the catalog too (docs/versions.md)."""

from __future__ import annotations

from typing import Any

from cascade.apis.v5.catalogs import TMF620_V5
from cascade.catalogs import demo_catalog
from cascade.catalogs.files import absolute_hrefs
from tests.fulfilment.conftest import Chain, broadband

P5 = TMF620_V5.base_path
SERVER_SET = ("id", "href", "lastUpdate")


def as_v5(resource_name: str, document: dict[str, Any]) -> dict[str, Any]:
    """A demo catalog entry as a v5 client writes it: in v5 terms, without server fields."""
    resource = next(r for r in TMF620_V5.resources if r.name == resource_name)
    assert resource.view is not None
    shown = resource.view.from_stored(document)
    return {k: v for k, v in shown.items() if k not in SERVER_SET}


def demo(resource_name: str, id_: str) -> dict[str, Any]:
    """A demo entry with its hrefs absolute, as the loader stores it: the file's `/tmf-api/...`
    ones are not the URIs TMF620 v4 requires, which a v5 write must also give."""
    entry = next(e for e in demo_catalog()["tmf620"][resource_name] if e["id"] == id_)
    found: dict[str, Any] = absolute_hrefs(entry, "http://testserver.local")
    return found


def test_offering_and_specification_written_in_v5_serve_a_v4_order(chain: Chain) -> None:
    spec_body = {
        **as_v5("productSpecification", demo("productSpecification", "ps-fibre-broadband"))
    }
    spec_body["name"] = "Fibre Broadband (v5)"
    answer = chain.client.post(f"{P5}/productSpecification", json=spec_body)
    assert answer.status_code == 201, answer.text
    spec = answer.json()
    offering_body = as_v5("productOffering", demo("productOffering", "po-fibre-broadband"))
    offering_body["name"] = "Fibre Broadband (v5)"
    offering_body["productSpecification"] = {
        "id": spec["id"],
        "href": spec["href"],
        "@type": "ProductSpecificationRef",
    }
    answer = chain.client.post(f"{P5}/productOffering", json=offering_body)
    assert answer.status_code == 201, answer.text
    offering = answer.json()
    item = {**broadband(), "productOffering": {"id": offering["id"]}}
    placed = chain.place(item)  # through v4
    done = chain.wait_for(placed["id"])
    assert done["state"] == "completed", done
    product = done["productOrderItem"][0]["product"]
    inventory = chain.get(f"/tmf-api/productInventory/v4/product/{product['id']}")
    assert inventory["productOffering"]["id"] == offering["id"]
    assert inventory["productSpecification"]["id"] == spec["id"]
