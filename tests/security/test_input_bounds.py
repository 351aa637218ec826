"""Hostile input: lengths and counts are bounded (400/413 with an Error body), and filter
values reach SQL only as bound parameters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from cascade.bootstrap import Cascade
from cascade.frontend.bounds import MAX_ITEMS, MAX_STRING, check_bounds
from cascade.storage.tables import entity
from cascade.tmf.errors import TmfError
from tests.conftest import PUBLIC_URL
from tests.security.conftest import PO, assert_error, order_body

Client = TestClient[Any]
INJECTIONS = (
    "x' OR '1'='1",
    "x'; DROP TABLE entity; --",
    'x") OR 1=1 --',
    "$.a ? (@ == 1) || true",
    "%' UNION SELECT doc FROM entity --",
)


@pytest.fixture
def client(cascade: Cascade) -> Iterator[Client]:
    """Mode none: these bounds hold for every caller."""
    with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
        yield client


def test_long_arrays_and_strings_are_refused(client: Client) -> None:
    items = [
        {"id": str(i), "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
        for i in range(MAX_ITEMS + 1)
    ]
    body = assert_error(client.post(PO, json={"productOrderItem": items}), 400)
    assert body["code"] == "tooLarge"
    long_text = {**order_body(), "description": "x" * (MAX_STRING + 1)}
    assert assert_error(client.post(PO, json=long_text), 400)["code"] == "tooLarge"
    wide = {**order_body(), "note": [{"text": str(i)} for i in range(MAX_ITEMS + 1)]}
    assert assert_error(client.post(PO, json=wide), 400)["code"] == "tooLarge"
    assert client.post(PO, json={**order_body(), "description": "x" * 1000}).status_code == 201


def test_the_bounds_walk_checks_names_and_nesting() -> None:
    check_bounds({"a": [{"b": "c" * 10}]})
    with pytest.raises(TmfError, match="name"):
        check_bounds({"n" * 300: 1})
    with pytest.raises(TmfError, match="array"):
        check_bounds({"a": {"b": [[0] * 11]}}, max_items=10)
    with pytest.raises(TmfError, match="characters"):
        check_bounds([["y" * 11]], max_string=10)


def test_values_longer_than_their_indexed_column_are_400_not_500(client: Client) -> None:
    long_id = {**order_body(), "externalId": "e" * 300}
    assert_error(client.post(PO, json=long_id), 400)
    hub = {"callback": "http://listener.example.test/" + "a" * 300}
    assert_error(client.post(PO.rsplit("/", 1)[0] + "/hub", json=hub), 400)


def test_query_parameters_are_bounded(client: Client) -> None:
    assert assert_error(client.get(f"{PO}?limit=1001"), 400)
    fields = ",".join(["id"] * 51)
    assert assert_error(client.get(f"{PO}?fields={fields}"), 400)["code"] == "tooManyFields"
    terms = "&".join(f"externalId.ne=v{i}" for i in range(21))
    assert assert_error(client.get(f"{PO}?{terms}"), 400)["code"] == "tooManyFilters"
    assert_error(client.get(f"{PO}?sort=state;DROP TABLE entity"), 400)
    assert_error(client.get(f"{PO}?state) OR (1=1=x"), 400)


@pytest.mark.parametrize("attribute", ["externalId", "description", "relatedParty.id"])
def test_filter_values_are_bound_parameters(
    client: Client, cascade: Cascade, attribute: str
) -> None:
    """Each attribute takes a different path to SQL: an indexed column, a JSON condition
    (tmf_match on SQLite, jsonb_path_exists on PostgreSQL) and the term table."""
    created = {}
    for text in INJECTIONS:
        body = {**order_body(), "externalId": text, "description": text}
        body["relatedParty"] = [{"id": text, "@referredType": "Organization"}]
        response = client.post(PO, json=body)
        assert response.status_code == 201, response.text
        created[text] = response.json()["id"]
    client.post(PO, json=order_body())  # one order that matches none of them
    for text in INJECTIONS:
        quoted = f'"{text}"' if "," in text else text
        response = client.get(PO, params={attribute: quoted})
        assert response.status_code == 200, response.text
        assert [order["id"] for order in response.json()] == [created[text]], text
    rows = cascade.database.read_sync(
        lambda c: c.execute(select(func.count()).select_from(entity)).scalar_one()
    )
    assert rows == len(INJECTIONS) + 1  # nothing dropped, nothing else touched


def test_nul_characters_never_reach_the_database(cascade: Cascade) -> None:
    service = cascade.resources["tmf622.productOrder"]
    with pytest.raises(TmfError) as refused:
        asyncio.run(service.list([("state", "a\x00b")]))
    assert refused.value.status == 400
    with pytest.raises(TmfError) as missing:
        asyncio.run(service.retrieve("a\x00b"))
    assert missing.value.status == 404


@pytest.mark.parametrize(
    "where",
    [
        {"description": "a\x00b"},
        {"note": [{"text": "fine", "a\x00b": "name"}]},
        {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "\x00"}}]},
    ],
    ids=["value", "name", "nested"],
)
def test_a_nul_character_in_a_body_is_refused(client: Client, where: dict[str, Any]) -> None:
    """PostgreSQL's jsonb cannot hold `\\u0000`: a document storing one would make every
    JSON filter on its kind fail (a 500 for every client), so a body holding one, in a value
    or a name, in a create or a PATCH, is a 400 that changes nothing, on both databases."""
    error = assert_error(client.post(PO, json={**order_body(), **where}), 400)
    assert "NUL" in error["message"], error
    made = client.post(PO, json=order_body())
    assert made.status_code == 201, made.text
    url = f"{PO}/{made.json()['id']}"
    before = client.get(url)
    for media, patch in (
        ("application/merge-patch+json", where),
        (
            "application/json-patch+json",
            [{"op": "add", "path": f"/{name}", "value": value} for name, value in where.items()],
        ),
    ):
        refused = client.patch(url, content=json.dumps(patch), headers={"Content-Type": media})
        assert "NUL" in assert_error(refused, 400)["message"]
    after = client.get(url)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    listed = client.get(PO, params={"description.ne": "x"})  # a JSON filter on every order
    assert listed.status_code == 200, listed.text
    assert [order["id"] for order in listed.json()] == [made.json()["id"]]
