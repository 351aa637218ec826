"""SQLite WAL checkpoints on a thread of their own, off the writer's path.

By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that
commit copies the pages into the database file and syncs it, while every request queued
behind the writer waits (on a 4.6 GB file, the create phase's p99 reached a second). Here
the writer's automatic checkpoint is pushed far out (a backstop only) and this thread runs
PASSIVE checkpoints shortly after commits. A PASSIVE checkpoint waits for no reader or
writer, so the writer keeps committing meanwhile; the WAL is rewound by the next write once
a checkpoint caught up. Several processes may each run one: a checkpoint that finds another
one running returns at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

WRITER_AUTOCHECKPOINT_PAGES = 20_000  # ~80 MB of WAL: reached only if this thread falls behind
SETTLE_SECONDS = 0.1  # let a few commits gather before copying their pages
RETRY_SECONDS = 1.0  # after a checkpoint that could not copy everything


class WalCheckpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` after commits, on its own connection."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="cascade-checkpoint", daemon=True)
        self._thread.start()

    @staticmethod
    def configure_writer(driver_connection: Any) -> None:
        """Keep the writer's own commits from checkpointing (but for the backstop)."""
        driver_connection.execute(f"PRAGMA wal_autocheckpoint={WRITER_AUTOCHECKPOINT_PAGES}")

    def committed(self) -> None:
        """Called by the writer after each commit."""
        self._wake.set()

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        connection: Any = None
        unfinished = False
        try:
            while True:
                # An unfinished checkpoint (a reader still on old pages, another process
                # checkpointing, an error) is tried again soon, even without a new commit.
                self._wake.wait(RETRY_SECONDS if unfinished else None)
                if self._stopping:
                    return
                self._wake.clear()
                time.sleep(SETTLE_SECONDS)
                try:
                    if connection is None:
                        connection = self._engine.raw_connection()
                    unfinished = not _checkpoint(connection)
                except Exception as exc:  # the database may be gone: tried again later
                    log.warning("WAL checkpoint failed: %s", exc)
                    if connection is not None:
                        connection.close()
                    connection, unfinished = None, True
        finally:
            if connection is not None:
                connection.close()


def _checkpoint(connection: Any) -> bool:
    """One PASSIVE checkpoint; True when every frame of the WAL is now in the database file."""
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        busy, frames, copied = cursor.fetchone()
    finally:
        cursor.close()
    return not busy and copied == frames
