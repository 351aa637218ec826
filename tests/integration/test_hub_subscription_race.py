"""Two processes of one component subscribing to the next one's hub at the same moment end on
one subscription, signed with the secret the component keeps (components/subscription.py).

Both read "no link yet" before either writes (a barrier in the read); each then stores its
link. Before `adopt_link`, each stored its own secret over the other's: two Idempotency-Keys,
two subscriptions at the hub, and one of them signing with a secret nobody kept. Both succeed
at their first try: on PostgreSQL the second insert waits for the first and adopts its row.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import Connection

from cascade.bootstrap import Cascade
from cascade.components import links
from cascade.components.subscription import HubSubscription
from cascade.storage.database import Database
from tests.waiting import PATIENCE_S

HUB = "http://som.example/tmf-api/serviceOrdering/v4/hub"
CALLBACK = "http://com.example/cascade/inbox/som"


class Hub:
    """A hub that answers a repeated Idempotency-Key with the subscription it made for it."""

    def __init__(self) -> None:
        self.made: dict[str, dict[str, Any]] = {}

    async def send(self, method: str, url: str, body: bytes | None, key: str | None) -> Any:
        assert (method, url) == ("POST", HUB) and body is not None and key is not None
        asked = msgspec.json.decode(body)
        made = self.made.setdefault(key, {"id": str(uuid.uuid4()), "secret": asked["secret"]})
        return httpx.Response(201, json={"id": made["id"]})


def test_two_processes_subscribing_at_once_make_one_subscription(
    cascade: Cascade, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_read = threading.Barrier(2, timeout=PATIENCE_S)
    read = links.links

    def read_together(connection: Connection) -> list[links.Link]:
        found = read(connection)
        both_read.wait()
        return found

    monkeypatch.setattr(links, "links", read_together)
    other = Database(cascade.database.url)  # the component's second process
    subscriptions = [
        HubSubscription(database, HUB, CALLBACK, "eventType=x")
        for database in (cascade.database, other)
    ]
    hub = Hub()

    async def subscribe_all() -> None:
        await asyncio.gather(*(each.ensure(hub.send) for each in subscriptions))

    try:
        asyncio.run(subscribe_all())
    finally:
        other.close()
        monkeypatch.setattr(links, "links", read)
    assert [each.subscribed for each in subscriptions] == [True, True]  # at the first try
    [made] = hub.made.values()
    [stored] = cascade.database.read_sync(links.links)
    assert (stored.secret, stored.subscription_id) == (made["secret"], made["id"])
    assert [each.secret for each in subscriptions] == [made["secret"]] * 2
