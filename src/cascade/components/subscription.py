"""A component's subscription to the next one's hub, made once and kept (`component_link`).

The callback is this component's inbox; the query picks the state changes of the next layer's
orders and cancel tasks; the HMAC secret is chosen here and stored before the POST, whose
`Idempotency-Key` derives from callback and secret, so a retry or a second process of the
component finds the same subscription. A refusal is tried again with back-off; polling follows
the orders meanwhile.
"""

from __future__ import annotations

import logging
import uuid

import msgspec
from sqlalchemy import Connection

from cascade.components import links
from cascade.components.exchange import Send, ok, said
from cascade.events.signing import new_secret
from cascade.storage import work
from cascade.storage.database import Database

log = logging.getLogger(__name__)
BACKOFF_MAX_MS = 60_000


class HubSubscription:
    def __init__(self, database: Database, hub_url: str, callback: str, query: str) -> None:
        self.database = database
        self.hub_url = hub_url
        self.callback = callback
        self.query = query
        self.subscribed = False
        self.secret: str | None = None  # once subscribed (the inbox checks signatures with it)
        self._failures = 0
        self._next_try_ms = 0

    def due(self) -> bool:
        return not self.subscribed and work.now_ms() >= self._next_try_ms

    def wait_s(self, longest: float) -> float:
        """How long the loop may wait before the next attempt is due."""
        if self.subscribed:
            return longest
        return min(longest, max(0.0, (self._next_try_ms - work.now_ms()) / 1000))

    async def ensure(self, send: Send) -> None:
        """Subscribe unless this component already is; never raises."""
        try:
            await self._subscribe(send)
        except Exception as error:  # another process of this component, say, raced us
            self._failed(f"{type(error).__name__}: {error}")

    async def _subscribe(self, send: Send) -> None:
        found = await self.database.read(links.links)
        link = next((each for each in found if each.hub_url == self.hub_url), None)
        if link is not None and link.subscription_id and link.callback == self.callback:
            self.subscribed, self.secret = True, link.secret
            return
        if link is None or link.callback != self.callback:
            candidate = links.Link(self.hub_url, self.callback, new_secret(), None)
            link = await self.database.write(lambda c: links.adopt_link(c, candidate))
        body = {"callback": self.callback, "query": self.query, "secret": link.secret}
        key = f"cascade-link-{uuid.uuid5(uuid.NAMESPACE_URL, self.callback + link.secret)}"
        answer = await send("POST", self.hub_url, msgspec.json.encode(body), key)
        if not ok(answer, 200, 201):
            self._failed(said(answer))
            return
        assert not isinstance(answer, str)
        made = links.Link(self.hub_url, self.callback, link.secret, str(answer.json()["id"]))

        def job(connection: Connection) -> None:
            links.save_link(connection, made)
            links.nudge_all(connection)  # what changed before now sent no event here

        await self.database.write(job)
        self.subscribed, self.secret = True, link.secret
        log.info("subscribed to %s (callback %s)", self.hub_url, self.callback)

    def _failed(self, reason: str) -> None:
        self._failures += 1
        self._next_try_ms = work.now_ms() + min(BACKOFF_MAX_MS, 1000 * 2 ** min(self._failures, 6))
        if self._failures == 1 or self._failures % 10 == 0:
            log.warning(
                "subscribing to %s failed (%s, try %d); polling meanwhile",
                self.hub_url,
                reason,
                self._failures,
            )
