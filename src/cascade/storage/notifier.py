"""The thread that tells other processes which entities each commit touched, whatever carries
the notices: PostgreSQL's `pg_notify` (storage/entity_notices.py) or UNIX datagram sockets
on a SQLite file (storage/socket_notices.py).

The writer thread hands each commit's ids to `send`, which only queues them. The notifier's
own thread takes what is queued, merges every id set waiting behind the first one (the
transactions that committed meanwhile) and hands the union to its transport's `deliver`. A
delivery that fails is logged and dropped: a listener's slow re-read covers a lost notice.
"""

from __future__ import annotations

import logging
import queue
import threading
from abc import ABC, abstractmethod


class CommitNotifier(ABC):
    """Queues committed ids and delivers them, merged, on a thread of its own.

    A transport sets up what `deliver` uses, then calls this `__init__`, which starts the
    thread. Its warnings are logged under the transport's module.
    """

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._log = logging.getLogger(type(self).__module__)
        self._queue: queue.SimpleQueue[set[str] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="cascade-notices", daemon=True)
        self._thread.start()

    def send(self, ids: set[str]) -> None:
        """Notify `ids` (called by the writer thread after its commit)."""
        self._queue.put(ids)

    def close(self) -> None:
        """Deliver what is queued, then end the thread."""
        self._queue.put(None)
        self._thread.join(timeout=10)

    @abstractmethod
    def deliver(self, ids: set[str]) -> None:
        """Carry `ids` to the other processes (on the notifier's thread); may raise."""

    def finished(self) -> None:  # noqa: B027 (a transport with nothing to release keeps it)
        """Release what `deliver` held, on the notifier's thread as it ends."""

    def _run(self) -> None:
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                ids, stop = self._drain(first)
                try:
                    self.deliver(ids)
                except Exception as exc:  # a listener's re-read covers a lost notice
                    self._log.warning("notifying %d committed entities failed: %s", len(ids), exc)
                if stop:
                    return
        finally:
            self.finished()

    def _drain(self, first: set[str]) -> tuple[set[str], bool]:
        """`first` and every id set waiting behind it; whether `close` was asked meanwhile."""
        ids = set(first)
        while True:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return ids, False
            if more is None:
                return ids, True
            ids |= more
