"""What a body that breaks its official definition is told (tmf/spec.py, tmf/schema_errors.py,
ADR 0031): the place from the definition down, and what was expected."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cascade.apis.v4.ordering import TMF622
from cascade.tmf.errors import TmfError

ORDER: dict[str, Any] = {
    "requestedStartDate": "2026-12-05T10:00:00Z",
    "productOrderItem": [
        {
            "id": "1",
            "action": "add",
            "productOffering": {"id": "po-1", "href": "https://host:port/productOffering/po-1"},
            "@schemaLocation": "https://host:port/schemas/ProductOrderItem.json",
        }
    ],
}


def refusal(change: Any) -> str:
    body = copy.deepcopy(ORDER)
    change(body)
    with pytest.raises(TmfError) as refused:
        TMF622.spec.validate("ProductOrder_Create", body)
    assert refused.value.status == 400 and refused.value.code == "invalidBody"
    return refused.value.message


def test_a_valid_order_passes_with_tmf_placeholder_hrefs() -> None:
    """TMF's own examples write `https://host:port/...`, not an RFC 3986 URI: taken as before."""
    TMF622.spec.validate("ProductOrder_Create", copy.deepcopy(ORDER))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: b["productOrderItem"][0].update(action="explode"),
            "ProductOrder_Create.productOrderItem[0].action must be one of ['add', 'modify', "
            "'delete', 'noChange']",
        ),
        (
            lambda b: b["productOrderItem"][0].pop("action"),
            "ProductOrder_Create.productOrderItem[0] must contain ['action'] properties",
        ),
        (
            lambda b: b["productOrderItem"][0].update(quantity="two"),
            "ProductOrder_Create.productOrderItem[0].quantity must be integer",
        ),
        (lambda b: b.update(productOrderItem=[]), "productOrderItem must contain at least 1 items"),
        (
            lambda b: b.update({"@schemaLocation": "no scheme"}),
            "ProductOrder_Create.@schemaLocation must be uri",
        ),
        (
            lambda b: b.update(requestedStartDate="2026-12-05T10:00:00+0100"),
            "ProductOrder_Create.requestedStartDate must be date-time",
        ),
    ],
)
def test_a_violation_is_named_where_it_is(change: Any, message: str) -> None:
    assert message in refusal(change)
