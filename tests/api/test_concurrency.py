"""Concurrent writers: no patch is lost, and If-Match lets exactly one of a race win."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from cascade.bootstrap import Cascade

URL = "/tmf-api/productOrderingManagement/v4/productOrder"
ORDER = {"productOrderItem": [{"id": "1", "action": "add"}]}
JSON_PATCH = {"content-type": "application/json-patch+json"}


async def test_concurrent_patches_never_lose_an_update(cascade: Cascade) -> None:
    async with AsyncTestClient(cascade.app) as client:
        created = (await client.post(URL, json={**ORDER, "note": []})).json()
        url = f"{URL}/{created['id']}"

        async def add_note(n: int) -> Any:
            operation = [{"op": "add", "path": "/note/-", "value": {"text": f"note {n}"}}]
            return await client.patch(url, json=operation, headers=JSON_PATCH)

        responses = await asyncio.gather(*(add_note(n) for n in range(40)))
        assert all(r.status_code == 200 for r in responses)
        final = (await client.get(url)).json()
        assert sorted(note["text"] for note in final["note"]) == sorted(
            f"note {n}" for n in range(40)
        )
        assert (await client.get(url)).headers["ETag"] == '"41"'


async def test_if_match_race_has_one_winner(cascade: Cascade) -> None:
    async with AsyncTestClient(cascade.app) as client:
        created = await client.post(URL, json=ORDER)
        url = f"{URL}/{created.json()['id']}"
        etag = created.headers["ETag"]

        async def claim(n: int) -> int:
            response = await client.patch(
                url, json={"description": f"writer {n}"}, headers={"If-Match": etag}
            )
            return response.status_code

        statuses = await asyncio.gather(*(claim(n) for n in range(20)))
        assert sorted(statuses) == [200] + [412] * 19


async def test_concurrent_creates_with_one_idempotency_key_create_once(cascade: Cascade) -> None:
    async with AsyncTestClient(cascade.app) as client:
        headers = {"Idempotency-Key": "same"}
        responses = await asyncio.gather(
            *(client.post(URL, json=ORDER, headers=headers) for _ in range(10))
        )
        assert {r.status_code for r in responses} == {201}
        assert len({r.json()["id"] for r in responses}) == 1
        listed = await client.get(URL)
        assert listed.headers["X-Total-Count"] == "1"
