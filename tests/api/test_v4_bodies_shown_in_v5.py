"""What a v4 client writes, a v5 client reads valid (docs/versions.md, "What is lost where").

For the v4 resource under every v5 create operation, bodies generated valid against the
official v4 request schema (schemathesis, positive mode) are created through v4 and read
through v5: the answer must be valid against the official v5 schema, and a list shows the
same. v4 takes what v5's
classes cannot hold (an object without what its v5 class requires, a string outside the
values v5 lists, a fraction where v5 types an integer); the v5 view leaves it out
(tmf/polymorphism.py), and a v5 reader never gets an answer it must refuse whole.

The examples are derandomized and bounded (EXAMPLES per operation); CASCADE_V5_EXAMPLES=1000
explores more.
"""

from __future__ import annotations

import collections
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from litestar.testing import TestClient
from schemathesis import GenerationMode

from cascade.apis.v4 import V4_APIS
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_valid_bodies import OPERATIONS, ORDER4, Shaper, shaper
from tests.api.v5_generation import BOUNDED, EXAMPLES, v4_generation_document

Client = TestClient[Any]


@pytest.mark.parametrize(
    ("api", "resource"), OPERATIONS, ids=[f"{a.code}.{r.name}" for a, r in OPERATIONS]
)
def test_v4_bodies_read_valid_through_v5(
    client: Client, official: OfficialSchemas, api: ApiSpec, resource: ResourceSpec
) -> None:
    v4 = next(v4 for v4 in V4_APIS if v4.serves(resource.kind) is not None)
    served = v4.serves(resource.kind)
    assert served is not None
    collection = f"/{served.name}"
    document = v4_generation_document(v4, {collection: served.create_schema})
    operation = schemathesis.openapi.from_dict(document)[collection]["POST"]
    shape = (
        cancelling(client) if resource.name == "cancelProductOrder" else shaper(client, resource)
    )
    outcomes: collections.Counter[int] = collections.Counter()

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def read_valid(case: schemathesis.Case[Any]) -> None:
        body = without_nul(case.body)
        assert isinstance(body, dict)
        shape(body)
        created = client.post(f"{v4.base_path}{collection}", json=body)
        outcomes[created.status_code] += 1
        if created.status_code != 201:  # what v4 may refuse is test_contract's
            return
        id_ = created.json()["id"]
        answer = client.get(f"{api.base_path}/{resource.name}/{id_}")
        assert answer.status_code == 200, answer.text
        definition = resource.entity_definition or resource.entity
        official.check_shape(api.spec_file, definition, answer.json())
        listed = client.get(f"{api.base_path}/{resource.name}", params={"id": id_})
        assert listed.json() == [answer.json()], listed.text

    read_valid()
    assert outcomes[201] >= EXAMPLES // 3, f"too few bodies created to tell: {outcomes}"


def cancelling(client: Client) -> Shaper:
    """A cancel naming an order of its own (an order is cancelled at most once)."""
    orders = "/tmf-api/productOrderingManagement/v4/productOrder"

    def shape(body: dict[str, Any]) -> None:
        order = client.post(orders, json=ORDER4)
        assert order.status_code == 201, order.text
        body["productOrder"] = {**body.get("productOrder", {}), "id": order.json()["id"]}

    return shape


def without_nul(value: Any) -> Any:
    """The body without NUL characters, which any body may not hold (frontend/bounds.py), so
    that the examples reach the v5 view rather than that refusal."""
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_nul(each) for each in value]
    return value.replace("\x00", "") if isinstance(value, str) else value
