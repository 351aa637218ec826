"""Valid v5 bodies are accepted (docs/versions.md): for every create operation of the six v5
APIs, bodies generated valid against the official v5 request schema (tests/api/
v5_generation.py) are answered 201, or refused for what a valid body can legitimately be
refused for (a reference to nothing, an order's item rules, an input bound): never by the
check that the stored form stays valid for v4 (`StoredSchema`), but for the values v4 truly
cannot hold, which docs/versions.md lists ("What is lost where") and LOSSES names. Every
201 is a valid v5 answer, and the entity it made reads back through v4 valid against v4.

The examples are derandomized and bounded (EXAMPLES per operation): CI runs the same ones
each time. CASCADE_V5_EXAMPLES=200 explores more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from litestar.testing import TestClient
from schemathesis import GenerationMode

from cascade.apis.v4 import V4_APIS
from cascade.apis.v5 import V5_APIS
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.schema import Shape, resolve_path
from tests.api.official_schemas import OfficialSchemas
from tests.api.v5_generation import BOUNDED, generation_document

Client = TestClient[Any]
Shaper = Callable[[dict[str, Any]], None]
OPERATIONS = [(api, resource) for api in V5_APIS for resource in api.resources]
STORED_REFUSAL = "stored, it would break"  # StoredSchema.check's 400 (tmf/declarations.py)
# What a valid body may be refused for: (status, code) -> why.
LEGITIMATE = {
    (400, "unknownReference"): "a reference to an entity that does not exist",
    (400, "invalidOrderItem"): "the order's items break an item rule (domain/order_items.py)",
    (400, "unsupportedAttribute"): "an attribute Cascade would not act on (domain/unheeded.py)",
    (400, "invalidRequest"): "an input bound (frontend/bounds.py: lengths of indexed values, NUL)",
    (409, "cancellationAlreadyRequested"): "an order is cancelled at most once",
}
# The same, told by their message: (status, code, what the message says) -> why.
BOUNDS = {
    (400, "invalidBody", "is out of the supported range"): (
        "a date-time whose UTC instant is outside years 1 to 9999 (tmf/instants.py)"
    ),
}
# The stored-form refusals of values v4 cannot hold, each listed in docs/versions.md's "What
# is lost where": a pattern of the 400's message, and why.
LOSSES = {
    r"\.(@schemaLocation|href|url) must be uri": "v5 declares a plain string, v4 a URI",
    r"[cC]haracteristic\[\d+\] must contain \['value'\]": (
        "a characteristic of v5's base class, which has no value: v4 requires one"
    ),
    r"[nN]ote\[\d+\] must contain \['(text|date|author)'\]": (
        "a note without what v4's Note requires (its text; TMF638's its date and author too)"
    ),
    r"serviceOrderItem\[\d+\] must contain \['(itemId|serviceOrderId)'\]": (
        "a related service order item without the ids v4 requires"
    ),
    r"productOrderItem\[\d+\] must contain \['orderItemId'\]": (
        "a related product order item without the item's id, which v4 requires"
    ),
    r"Service\.state must be one of": "TMF638 v5's `suspended`, which v4's ServiceStateType lacks",
    r"[fF]eature\[\d+\]( must contain \['(featureCharacteristic|id)'\]|\.featureCharacteristic "
    r"must contain at least 1 items)": "a feature with no id or characteristics: v4 requires both",
}

# The same where v5 names the attribute otherwise, or holds it in an entry v4 flattens: a
# loss only when the body lacks it in v5's terms (else the translation is missing):
# pattern -> ((the list or reference the body gives, the v5 attribute an entry lacks), why).
GUARDED_LOSSES = {
    r"relatedParty\[\d+\] must contain \['(@referredType|id)'\]": (
        ("relatedParty", "partyOrPartyRole"),
        "a related party with no party (no `partyOrPartyRole`): v4 requires its id",
    ),
    r"relatedParty\[\d+\] must contain \['id'\]": (
        ("partyOrPartyRole", "id"),
        "a party given by value (TMF637's `PartyOrPartyRole`: a `BusinessPartner`, ...) with "
        "no id yet: v4 requires one",
    ),
    r"channel\[\d+\] must contain \['id'\]": (
        ("channel", "channel"),
        "a related channel with no channel: v4 requires its id",
    ),
    r"serviceRelationship\[\d+\] must contain \['service'\]": (
        ("serviceRelationship", "service"),
        "a service relationship with no service: v4 requires it",
    ),
    r"productOrderItem\[\d+\] must contain \['productOrderId'\]": (
        ("productOrderItem", "orderId"),
        "a related product order item without orderId (v4's productOrderId), which v4 requires",
    ),
}


def guarded_loss(message: str, body: dict[str, Any], losses: dict[str, Any]) -> bool:
    """Whether the refusal is one of `losses`, for what the body lacks in v5's terms."""
    for pattern, ((listed, lacked), _) in losses.items():
        if re.search(pattern, message) and (not listed or lacking(body, listed, lacked)):
            return True
    return False


def lacking(value: Any, listed: str, lacked: str) -> bool:
    """Whether some entry of a `listed` list (or reference), anywhere in the value, lacks
    `lacked`."""
    if isinstance(value, list):
        return any(lacking(each, listed, lacked) for each in value)
    if not isinstance(value, dict):
        return False
    entries = value.get(listed)
    entries = [entries] if isinstance(entries, dict) else entries
    if isinstance(entries, list) and any(isinstance(e, dict) and lacked not in e for e in entries):
        return True
    return any(lacking(each, listed, lacked) for each in value.values())


def test_every_v5_create_operation_is_generated() -> None:
    assert len({api.code for api, _ in OPERATIONS}) == 6
    assert len(OPERATIONS) == 14


@pytest.mark.parametrize(
    ("api", "resource"), OPERATIONS, ids=[f"{a.code}.{r.name}" for a, r in OPERATIONS]
)
def test_valid_v5_bodies_are_accepted(
    client: Client, official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec
) -> None:
    shape = shaper(client, resource)
    collection = f"/{resource.name}"
    document = generation_document(api, {collection: resource.create_schema})
    operation = schemathesis.openapi.from_dict(document)[collection]["POST"]
    declared = api.spec.shape(resource.create_schema)

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def accepted(case: schemathesis.Case[Any]) -> None:
        body = case.body
        assert isinstance(body, dict)
        shape(body)
        answer = client.post(f"{api.base_path}{collection}", json=body)
        if answer.status_code == 201:
            read_back(client, official, api, resource, answer.json())
        else:
            legitimate(answer.status_code, answer.json(), body, declared)

    accepted()


def legitimate(status: int, error: dict[str, Any], body: dict[str, Any], shape: Shape) -> None:
    """A refusal a valid body may get, or a documented loss; anything else fails."""
    message = str(error.get("message"))
    context = f"{status} {error.get('code')}: {message}\nbody: {str(body)[:3000]}"
    if STORED_REFUSAL in message:
        lost = (
            any(re.search(loss, message) for loss in LOSSES)
            or guarded_loss(message, body, GUARDED_LOSSES)
            or extension(message, body, shape)
        )
        assert lost, f"stored-form refusal {context}"
        return
    bounded = any(
        (status, error.get("code")) == (s, c) and said in message for s, c, said in BOUNDS
    )
    assert bounded or (status, error.get("code")) in LEGITIMATE, f"refused {context}"


def extension(message: str, body: dict[str, Any], shape: Shape) -> bool:
    """Whether the refused attribute is one the body gives as it is and the v5 file does not
    declare (an extension, TMF's pattern) under a name v4 declares otherwise: a value v4
    cannot hold (`agreement: 5` on a product: v4's `agreement` is a list)."""
    path = message.split(" must ", 1)[0].split(".", 1)[-1]  # `Product.agreement[0].id`
    steps = [step for step in re.split(r"\.|\[(\d+)\]", path) if step]
    given: Any = body
    for step in steps:
        if isinstance(given, list) and step.isdigit() and int(step) < len(given):
            given = given[int(step)]
        elif isinstance(given, dict) and step in given:
            given = given[step]
        else:
            return False  # not given as it is: translated, which must hold
    dotted = ".".join(step for step in steps if not step.isdigit())
    return resolve_path(shape, dotted) is None


def read_back(
    client: Client,
    official: OfficialSchemas,
    api: ApiSpec,
    resource: ResourceSpec,
    created: dict[str, Any],
) -> None:
    """The 201 is a valid v5 answer; the entity, read through v4, a valid v4 one."""
    official.check_shape(api.spec_file, resource.entity_definition or resource.entity, created)
    v4 = next(api for api in V4_APIS if api.serves(resource.kind) is not None)
    served = v4.serves(resource.kind)
    assert served is not None
    answer = client.get(f"{v4.base_path}/{served.name}/{created['id']}")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    if shown.get("state") == "draft":  # a v5 draft order: v4 shows it as it is (versions.md)
        del shown["state"]
    official.check_shape(v4.spec_file, served.entity, shown)


def shaper(client: Client, resource: ResourceSpec) -> Shaper:
    """What makes a generated body name entities that exist, so that it gets past the
    reference checks to its translation: a cancel names an order, an inventory record's
    chain references name records (created here through v4)."""
    if resource.name == "cancelProductOrder":
        order = _created(client, "/tmf-api/productOrderingManagement/v4/productOrder", ORDER4)
        return _naming({"productOrder": order}, single=True)
    if resource.name in ("product", "service"):
        service = _created(client, "/tmf-api/serviceInventory/v4/service", SERVICE4)
        record = _created(client, "/tmf-api/resourceInventoryManagement/v4/resource", RESOURCE4)
        return _naming(
            {
                "realizingService": service,
                "supportingService": service,
                "supportingResource": record,
            },
            single=False,
        )
    return lambda body: None


ORDER4 = {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "po"}}]}
SERVICE4 = {"state": "active", "serviceSpecification": {"id": "ss-1"}}
RESOURCE4 = {"name": "vlan-100"}


def _created(client: Client, collection: str, body: dict[str, Any]) -> str:
    answer = client.post(collection, json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _naming(ids: dict[str, str], single: bool) -> Shaper:
    def shape(body: dict[str, Any]) -> None:
        for attribute, id_ in ids.items():
            given = body.get(attribute)
            for reference in [given] if single else given if isinstance(given, list) else []:
                if isinstance(reference, dict):
                    reference["id"] = id_

    return shape
