"""The table of kinds (bootstrap/kinds.py) answers for every kind an API serves; a kind
without a row is a start-up error, not a kind nothing happens to."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.apis import ALL_APIS, kinds
from cascade.apis.v4 import TMF622
from cascade.bootstrap.kinds import CATALOG, HUB, TABLE, rows
from cascade.security import parties
from cascade.tmf.declarations import Kind, ResourceSpec


def test_every_served_kind_has_its_row() -> None:
    table = rows(ALL_APIS)
    served = {resource.kind for api in ALL_APIS for resource in api.all_resources}
    assert set(table) == served
    assert all(table[api.hub.kind] is HUB for api in ALL_APIS)
    assert table[kinds.PRODUCT_CATALOG] is CATALOG  # the rest of a catalog API: shared
    assert table[kinds.PRODUCT_ORDER] is TABLE[kinds.PRODUCT_ORDER]


def test_what_a_product_order_and_its_cancel_task_do() -> None:
    order, cancel = TABLE[kinds.PRODUCT_ORDER], TABLE[kinds.CANCEL_PRODUCT_ORDER]
    assert order.written and order.create is None and order.party is parties.related_party
    assert cancel.written and cancel.create is not None  # refused when one already runs


def test_a_kind_without_a_row_is_a_start_up_error() -> None:
    stray = Kind("strayThing", "ProductOrder")
    api = replace(TMF622, resources=(*TMF622.resources, ResourceSpec("strayThing", stray)))
    with pytest.raises(ValueError, match="strayThing has no row"):
        rows([api])
