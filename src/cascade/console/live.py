"""An order page's live stream: the tree re-rendered when an event about it has committed.

The stream listens on the database's feed of committed entities (storage/committed.py: the
ids each committed transaction made TMF events about, the same point that records `/hub`
events, subscribers or not; other processes' commits arrive through PostgreSQL notices or,
on a SQLite file, datagram sockets: storage/socket_notices.py). It
re-reads the order once an entity its last read looked at or looked for has been heard of
(so a service order or inventory record still to be created counts too), sends the tree only
if it changed, and re-reads anyway every `Console.live_reread_s` as a net. It ends once the
order has ended, or after LIVE_LIFETIME_S (the browser's EventSource then opens another).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from litestar.response import ServerSentEventMessage

from cascade.console.context import Console
from cascade.console.render import render
from cascade.storage.committed import Listener

LIVE_LIFETIME_S = 600.0  # a stream ends then; the browser's EventSource opens another


async def live_stream(
    console: Console,
    detail: Callable[[], Awaitable[dict[str, Any] | None]],
    context: Mapping[str, Any],
) -> AsyncIterator[ServerSentEventMessage]:
    """The order's live part, sent each time it changes, until the order has ended.

    `detail` reads the order (its `watched` ids with it), None once the viewer is signed out
    (the stream then ends: a revoked key sees no more); `context` completes the template's.
    """
    loop = asyncio.get_running_loop()
    listener = console.database.committed.subscribe()  # before the first read: nothing missed
    try:
        last = ""
        ends = loop.time() + LIVE_LIFETIME_S
        while loop.time() < ends:
            found = await detail()
            if found is None:
                yield ServerSentEventMessage(data="signed out", event="ended")
                return
            html = render("live.html", **context, **found)
            digest = hashlib.sha256(html.encode()).hexdigest()
            if digest != last:
                last = digest
                yield ServerSentEventMessage(data=html, event="tree", id=digest[:16])
            if found["ended"]:
                yield ServerSentEventMessage(data="ended", event="ended")
                return
            await until_heard(listener, found["watched"], console.live_reread_s)
    finally:
        listener.close()


async def until_heard(listener: Listener, watched: frozenset[str], timeout: float) -> None:
    """Return once one of `watched` has been committed, anything may have changed, or after
    `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (left := deadline - loop.time()) > 0:
        heard = await listener.wait(left)
        if heard is None or heard & watched:
            return
