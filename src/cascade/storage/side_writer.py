"""Short writes beside a Database's group commit: a transaction of their own, on a connection
and a thread of their own.

The writer thread runs jobs in batches, one after another: a job queued behind a long step
(a lock wait, a slow batch) waits for it. What must not wait there, the renewal of the leases
of the steps under way (ADR 0030), runs here instead. On SQLite it still takes the database's
write lock file (its own descriptor: `flock` does not exclude a descriptor from itself) and
SQLite's write lock, so it waits for the transaction that holds them, as every other process's
claim does; on PostgreSQL it waits for nothing of the writer's.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection

from cascade.storage.database import Database, Job
from cascade.storage.write_lock import WriteLock

T = TypeVar("T")


class SideWriter:
    """Runs short write jobs, one at a time, each in a transaction of its own."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine
        self._lock = WriteLock(database.sqlite_file)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="cascade-side-writer")
        self._connection: Connection | None = None

    async def write(self, job: Job[T]) -> T:
        """Run `job` in a transaction of its own; its effects are committed on return."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, job)

    def _run(self, job: Job[T]) -> T:
        connection = self._connection
        if connection is None or connection.invalidated:
            connection = self._connection = self._engine.connect().execution_options(writer=True)
        try:
            with self._lock, connection.begin():
                return job(connection)
        except Exception:
            if connection.invalidated:
                self._connection = None
            raise

    def close(self) -> None:
        """Close the connection (on its thread) and the thread."""
        self._thread.submit(self._close_connection).result()
        self._thread.shutdown(wait=True)
        self._lock.close()

    def _close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
