"""Resource pools seen through the order chain: exhaustion is a clear failure, never a reuse."""

from __future__ import annotations

from sqlalchemy import select

from cascade.storage.tables import allocation
from tests.fulfilment.conftest import Chain, offering_item

RESOURCE_SPEC = "/tmf-api/resourceCatalog/v4/resourceSpecification"


def test_an_exhausted_pool_fails_the_item_with_the_reason(chain: Chain) -> None:
    spec = chain.get(f"{RESOURCE_SPEC}/rs-msisdn")
    (msisdn,) = spec["resourceSpecCharacteristic"]
    msisdn["resourceSpecCharacteristicValue"][0]["valueTo"] = msisdn[
        "resourceSpecCharacteristicValue"
    ][0]["valueFrom"]  # a range of one number
    response = chain.client.patch(
        f"{RESOURCE_SPEC}/rs-msisdn",
        json={"resourceSpecCharacteristic": spec["resourceSpecCharacteristic"]},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    first = chain.wait_for(chain.place(offering_item("1", "po-mobile-line"))["id"])
    assert first["state"] == "completed", first.get("note")
    second = chain.wait_for(chain.place(offering_item("1", "po-mobile-line"))["id"])
    assert second["state"] == "failed"
    notes = " | ".join(n["text"] for n in second["note"])
    assert "exhausted" in notes and "rs-msisdn" in notes
    # Nothing else was taken for the failed order: one MSISDN in use, the first order's.
    msisdns = chain.cascade.database.read_sync(
        lambda c: c.execute(
            select(allocation.c.owner).where(allocation.c.pool.like("rs-msisdn%"))
        ).all()
    )
    assert len(msisdns) == 1
