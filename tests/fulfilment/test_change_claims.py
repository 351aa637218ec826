"""Two writers accept two orders changing one product at the same moment: exactly one passes.

The race is made, not hoped for (tests/fulfilment/races.py): COM's acceptance step of the first
change is held open before its commit while the second one's runs. Whatever the order, one
change is `inProgress` and the other `rejected` with the sequential refusal. Without a
guarantee in the database, both steps would see the other order `acknowledged`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.fulfilment.product.controller import ProductOrderController
from tests.conftest import PUBLIC_URL
from tests.fulfilment.conftest import FAST, PO, broadband, running_chain
from tests.fulfilment.races import accept_at_once
from tests.fulfilment.test_lifecycle import change, fulfilled, product_of


@pytest.fixture
def writers(database_url: str) -> Iterator[tuple[Cascade, Cascade, str]]:
    """Two Cascades without controllers on a database holding one delivered broadband product."""
    with running_chain(database_url, FAST) as chain:
        product_id = product_of(fulfilled(chain, broadband(speed=500)))
    settings = replace(FAST, database_url=database_url, controllers=False)
    first, second = build(settings), build(settings)
    try:
        yield first, second, product_id
    finally:
        first.close()
        second.close()


def test_two_writers_accepting_changes_of_one_product_at_once_accept_one(
    writers: tuple[Cascade, Cascade, str],
) -> None:
    first, second, product_id = writers
    with TestClient(first.app, base_url=PUBLIC_URL) as client:
        ids = []
        for speed in (100, 1000):
            item = change("1", "modify", product_id, downloadSpeed=speed)
            placed = client.post(PO, json={"productOrderItem": [item]})
            assert placed.status_code == 201, placed.text
            ids.append(placed.json()["id"])
        accept_at_once(first, second, ProductOrderController, (ids[0], ids[1]))
        accepted, refused = (client.get(f"{PO}/{order_id}").json() for order_id in ids)
    assert (accepted["state"], refused["state"]) == ("inProgress", "rejected")
    notes = [note["text"] for note in refused["note"]]
    assert f"being changed by product order {accepted['id']}" in notes[0], notes
