"""PostgreSQL notices of committed entity events, for the other processes' listeners.

After a writer transaction has committed, the ids it touched (storage/committed.py) are handed
to this process's `EntityNotifier`, whose thread sends them on `ENTITY_CHANNEL` from a side
connection in autocommit: one `pg_notify` per payload of ids, merged across the transactions
that committed meanwhile. The notice is sent after the commit, not inside the writing
transaction: a notifying commit holds PostgreSQL's cluster-wide notify lock until its WAL
flush (ADR 0027), which would serialize every process's writes; the side transaction commits
without waiting for its flush (`synchronous_commit = off`). A notice lost (a crash between the
commit and the notice, a listener reconnecting) is covered by the listeners' slow re-read.

A payload is JSON: `[origin, [id, ...]]`, `origin` naming the sending process so that it can
skip its own notices (it has published them in process already), at most about 7,000 bytes
(PostgreSQL's limit is 8,000). On a SQLite file the same payloads travel by UNIX datagram
sockets instead (storage/socket_notices.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import msgspec
from sqlalchemy import Connection, Engine

from cascade.storage.committed import CommitFeed
from cascade.storage.notifier import CommitNotifier

ENTITY_CHANNEL = "cascade_entities"
MAX_PAYLOAD = 7_000
_NOTIFY = "SELECT pg_notify(%s, %s)"


def payloads(origin: str, ids: Iterable[str]) -> Iterator[str]:
    """The notices that carry `ids`, each under MAX_PAYLOAD bytes."""
    chunk: list[str] = []
    size = len(origin) + 16
    for id_ in sorted(ids):
        cost = len(id_.encode()) + 8  # quotes, comma, the odd escape
        if chunk and size + cost > MAX_PAYLOAD:
            yield msgspec.json.encode([origin, chunk]).decode()
            chunk, size = [], len(origin) + 16
        chunk.append(id_)
        size += cost
    if chunk:
        yield msgspec.json.encode([origin, chunk]).decode()


def parse(payload: str) -> tuple[str, list[str]] | None:
    """A notice's origin and ids (None: not a payload of this module)."""
    try:
        origin, ids = msgspec.json.decode(payload, type=tuple[str, list[str]])
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return origin, ids


class EntityNotifier(CommitNotifier):
    """Sends the ids of committed transactions as notices, from a side connection."""

    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        super().__init__(origin)

    def deliver(self, ids: set[str]) -> None:
        try:
            self._connection = self._connection or self._connect()
            for payload in payloads(self.origin, ids):
                self._connection.exec_driver_sql(_NOTIFY, (ENTITY_CHANNEL, payload))
        except Exception:
            self.finished()  # connected anew for the next notice
            raise

    def finished(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _connect(self) -> Connection:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("SET synchronous_commit TO off")
        return connection


def relay(feed: CommitFeed, origin: str) -> Callable[[str], None]:
    """What a listener does with a notice: publish its ids in this process, unless this
    process sent it (its commits are published in process already)."""

    def heard(payload: str) -> None:
        parsed = parse(payload)
        if parsed is not None and parsed[0] != origin:
            feed.publish(parsed[1])

    return heard
