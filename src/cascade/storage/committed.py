"""Which entities each committed transaction wrote events about, told to whoever listens.

The outbox writer (repositories/events.py) marks an entity as `touch`ed where it makes the
entity's TMF events, whether or not a hub subscription records them. The writer thread takes
the marks of a transaction once it has committed (`take_touched`) and publishes them on the
database's `CommitFeed`, so a listener never hears of a change that could still roll back.
Other processes hear them through PostgreSQL notices (storage/entity_notices.py) or, on a
SQLite file, UNIX datagram sockets (storage/socket_notices.py).

A listener is an asyncio side (`Listener`) of a thread-safe fan-out: the console's live
stream waits on one for an entity of its order's tree.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

_TOUCHED = "cascade.touched"  # connection.info key: the entity ids of the open transaction
_READ = "cascade.read"  # connection.info key: the ids a reader looked up, found or not


def touch(connection: Connection, entity_id: str) -> None:
    """Mark `entity_id` as having events in the connection's open transaction."""
    touched: set[str] | None = connection.info.get(_TOUCHED)
    if touched is None:
        touched = connection.info[_TOUCHED] = set()
    touched.add(entity_id)


def take_touched(connection: Connection) -> set[str]:
    """The marks of the connection's last transaction, forgotten as they are returned."""
    taken: set[str] = connection.info.pop(_TOUCHED, None) or set()
    return taken


@contextmanager
def reads_noted(connection: Connection) -> Iterator[set[str]]:
    """The ids looked up on `connection` inside the block (`note_read`), found or not: what
    a read of documents by id depends on, a document still to be created included."""
    noted: set[str] = set()
    connection.info[_READ] = noted
    try:
        yield noted
    finally:
        connection.info.pop(_READ, None)


def note_read(connection: Connection, entity_id: str) -> None:
    noted: set[str] | None = connection.info.get(_READ)
    if noted is not None:
        noted.add(entity_id)


class Listener:
    """What one listener has heard since it last waited; used on its event loop only."""

    def __init__(self, feed: CommitFeed, loop: asyncio.AbstractEventLoop) -> None:
        self._feed = feed
        self.loop = loop
        self._heard: set[str] = set()
        self._anything = False  # something may have changed that no mark names
        self._signal = asyncio.Event()

    def deliver(self, ids: frozenset[str] | None) -> None:
        """On the listener's loop: `ids` committed (None: anything may have changed)."""
        if ids is None:
            self._anything = True
        else:
            self._heard |= ids
        self._signal.set()

    async def wait(self, timeout: float) -> frozenset[str] | None:
        """The ids heard since the last wait, waiting up to `timeout` seconds for some.

        None when anything may have changed (a notice was missed) or nothing came in time.
        """
        if not (self._heard or self._anything):
            try:
                await asyncio.wait_for(self._signal.wait(), timeout)
            except TimeoutError:
                return None
        heard, anything = frozenset(self._heard), self._anything
        self._heard, self._anything = set(), False
        self._signal.clear()
        return None if anything else heard

    def close(self) -> None:
        self._feed.unsubscribe(self)


class CommitFeed:
    """Fans the ids of committed transactions out to listeners, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self) -> Listener:
        """A listener on the running event loop; `close()` it when done."""
        listener = Listener(self, asyncio.get_running_loop())
        with self._lock:
            self._listeners.append(listener)
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    @property
    def listening(self) -> bool:
        return bool(self._listeners)

    def publish(self, ids: Collection[str] | None) -> None:
        """Tell every listener that `ids` were committed (None: anything may have changed)."""
        with self._lock:
            listeners = list(self._listeners)
        if not listeners:
            return
        frozen = None if ids is None else frozenset(ids)
        for listener in listeners:
            try:
                listener.loop.call_soon_threadsafe(listener.deliver, frozen)
            except RuntimeError:  # its loop has closed: it will never wait again
                self.unsubscribe(listener)
