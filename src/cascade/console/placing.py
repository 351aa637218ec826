"""Placing a test order from an offering's catalog page: its characteristics as a form.

The form's fields come from the offering's product specification (one per characteristic,
a choice where the catalog lists values). The post is a TMF622 `POST /productOrder` through
the same `TmfResource.create` as the API (schema, item checks, party rule, audit), with the
viewer's caller; COM then checks the characteristics against the catalog as for any order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Redirect
from sqlalchemy import Connection

from cascade.console.acting import read_form
from cascade.console.auth import ConsoleAuth, Viewer
from cascade.console.context import Console
from cascade.console.render import flash
from cascade.frontend.resource import TmfResource
from cascade.fulfilment.layers.catalog import StoredCatalog
from cascade.repositories import Repositories
from cascade.tmf.errors import TmfError, not_found

ROUTE = "tmf622.productOrder.create"
FIELD_PREFIX = "char."
_NUMBERS = {"integer": int, "number": float}


@dataclass(frozen=True)
class Field:
    """One characteristic of the offering's product specification, as a form field."""

    name: str
    value_type: str | None
    choices: tuple[str, ...]  # empty: free text
    default: str | None


def order_form(
    connection: Connection, repositories: Repositories, offering_id: str
) -> list[Field] | None:
    """The fields of a test order for the offering (None: it cannot be ordered from here,
    being a bundle or unknown)."""
    catalog = StoredCatalog(connection, repositories)
    offering = catalog.product_offering(offering_id)
    if offering is None or offering.get("isBundle") or offering.get("bundledProductOffering"):
        return None
    spec_id = (offering.get("productSpecification") or {}).get("id")
    spec = catalog.product_specification(str(spec_id)) if spec_id else None
    fields = []
    for each in (spec or {}).get("productSpecCharacteristic") or ():
        values = each.get("productSpecCharacteristicValue") or ()
        default = next((v.get("value") for v in values if v.get("isDefault")), None)
        fields.append(
            Field(
                str(each.get("name")),
                each.get("valueType") or next((v.get("valueType") for v in values), None),
                tuple(str(v.get("value")) for v in values),
                None if default is None else str(default),
            )
        )
    return fields


def order_body(offering_id: str, fields: list[Field], form: Mapping[str, str]) -> dict[str, Any]:
    """The ProductOrder_Create the form asks for (a blank characteristic is left out)."""
    characteristics = []
    for field in fields:
        value = (form.get(FIELD_PREFIX + field.name) or "").strip()
        if value:
            characteristics.append({"name": field.name, "value": _typed(field, value)})
    item: dict[str, Any] = {"id": "1", "action": "add", "productOffering": {"id": offering_id}}
    if characteristics:
        item["product"] = {"productCharacteristic": characteristics}
    body: dict[str, Any] = {"productOrderItem": [item], "description": "Test order (console)"}
    party = (form.get("party") or "").strip()
    if party:
        body["relatedParty"] = [{"id": party, "role": "customer", "@referredType": "Organization"}]
    external_id = (form.get("externalId") or "").strip()
    if external_id:
        body["externalId"] = external_id
    return body


def _typed(field: Field, value: str) -> Any:
    convert = _NUMBERS.get(str(field.value_type))
    if convert is None:
        return value
    try:
        return convert(value)
    except ValueError:
        return value  # the API's validation says what is wrong with it


async def place_order(
    auth: ConsoleAuth,
    viewer: Viewer,
    orders: TmfResource,
    body: dict[str, Any],
) -> str:
    """Places the order as the API would; answers its id (a TmfError if refused)."""
    auth.require(viewer, ROUTE)
    written = await orders.create(body, None, viewer.caller)
    return str(msgspec.json.decode(written.body).get("id"))


def placing_handlers(console: Console) -> list[Any]:
    @post("/console/catalog/{offering_id:str}/order", name="console.place")
    async def place(request: Request[Any, Any, Any], offering_id: FromPath[str]) -> Response[Any]:
        form = await read_form(request, console.auth)
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        repositories = console.repositories
        fields = await console.database.read(lambda c: order_form(c, repositories, offering_id))
        back = f"/console/catalog/{offering_id}"
        try:
            if fields is None:
                raise not_found(f"An offering to order from here, '{offering_id}'")
            body = order_body(offering_id, fields, form)
            order_id = await place_order(
                console.auth, viewer, console.resources["tmf622.productOrder"], body
            )
        except TmfError as error:
            response: Response[Any] = Redirect(back, status_code=303)
            text = f"Refused ({error.status} {error.code}): {error.message}"
            flash(response, request, "bad", text)
            return response
        response = Redirect(f"/console/productOrder/{order_id}", status_code=303)
        flash(response, request, "done", f"Test order {order_id} placed")
        return response

    return [place]
