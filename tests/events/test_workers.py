"""`cascade serve --workers 2` on one database: two processes fan out and send, and each
event still reaches the subscriber exactly once, in order per entity."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
from sqlalchemy import create_engine

from tests.conftest import _empty_tables
from tests.e2e.server import free_port, running_server
from tests.events.conftest import BASES, OFFERING, Listener, outbox_and_deliveries_of, until
from tests.waiting import HTTP_TIMEOUT_S

COUNT = 30
ENVIRONMENT = {"CASCADE_EVENTS_POLL_INTERVAL_S": "0.02", "CASCADE_EVENTS_BACKOFF_MS": "50"}
MERGE = {"Content-Type": "application/merge-patch+json"}


async def write(base: str) -> list[str]:
    """Create offerings concurrently (both workers take some), then change each twice."""
    limits = httpx.Limits(max_connections=8)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        bodies = [{"name": f"w{n}", "lifecycleStatus": "In design"} for n in range(COUNT)]
        created = await asyncio.gather(*(client.post(OFFERING, json=b) for b in bodies))
        assert [r.status_code for r in created] == [201] * COUNT
        ids = [r.json()["id"] for r in created]
        for step in ("one", "two"):
            changed = await asyncio.gather(
                *(
                    client.patch(f"{OFFERING}/{i}", json={"description": step}, headers=MERGE)
                    for i in ids
                )
            )
            assert [r.status_code for r in changed] == [200] * COUNT
    return ids


def test_two_workers_deliver_each_event_once(database_url: str, listener: Listener) -> None:
    url = database_url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    engine = create_engine(url)
    with engine.begin() as connection:
        _empty_tables(connection)
    try:
        with running_server(url, port, "--workers", "2", environment=ENVIRONMENT):
            hub = httpx.post(
                f"{base}{BASES['tmf620']}/hub",
                json={"callback": listener.url()},
                timeout=HTTP_TIMEOUT_S,
            )
            assert hub.status_code == 201, hub.text
            ids = asyncio.run(write(base))
            listener.wait(lambda r: len(r) >= 3 * COUNT, what="every create and change event")
            until(lambda: outbox_and_deliveries_of(engine) == (0, 0), what="deliveries done")
    finally:
        engine.dispose()
    received = listener.received()
    twice = [i for i, n in Counter(r.event["eventId"] for r in received).items() if n > 1]
    assert twice == [], f"eventIds delivered more than once by two workers: {twice}"
    by_offering: dict[str, list[str]] = {}
    for r in received:
        offering = r.event["event"]["productOffering"]
        by_offering.setdefault(offering["id"], []).append(offering.get("description", "-"))
    assert sorted(by_offering) == sorted(ids)
    out_of_order = {i: d for i, d in by_offering.items() if d != ["-", "one", "two"]}
    assert out_of_order == {}, "each offering's create, then its two changes, in order"
