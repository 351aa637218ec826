"""The database handle: a group-commit writer thread and a pool of reader threads.

All writes of the process go through one writer thread that takes every job waiting in its
queue, runs them one after the other in one transaction, and commits them together: one fsync
for many requests. A job that raises before changing anything (a 404, a 412, a validation
error) fails alone; one that raises after writing rolls the batch back, and the batch runs
again with a savepoint around each job, so only that job's writes are undone. Most batches
therefore pay for no savepoint at all.

Reads run in a small thread pool on their own connections (SQLite in WAL mode reads while the
writer writes), in one transaction for a consistent snapshot, or, for single-statement reads,
without one (saving a BEGIN and a COMMIT per read). The same code runs on SQLite and
PostgreSQL; several processes may each run a writer: SQLite's write lock (BEGIN IMMEDIATE) or
PostgreSQL's row locks keep them correct.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from cascade.storage import held_rows, pool_cursors
from cascade.storage.checkpoint import WalCheckpointer
from cascade.storage.committed import CommitFeed, take_touched
from cascade.storage.entity_notices import EntityNotifier
from cascade.storage.first_statistics import FirstStatistics
from cascade.storage.notifier import CommitNotifier
from cascade.storage.socket_notices import SocketNotifier, notice_directory, remove_if_empty
from cascade.storage.sqlite_functions import register_sqlite_functions
from cascade.storage.write_jobs import (
    FailedAfterWritingError,
    Pending,
    close_quietly,
    fail_unsettled,
    rows_changed,
    settle,
    transaction_broken,
)
from cascade.storage.write_lock import WriteLock
from cascade.telemetry import tracing

T = TypeVar("T")
Job = Callable[[Connection], T]
log = logging.getLogger(__name__)

MAX_BATCH = 256
# SQLite page cache per connection: interior b-tree pages stay hot; leaves come from the OS.
CACHE_KIB = 8000


def make_engine(url: str) -> Engine:
    """An engine with Cascade's connection settings (WAL and a busy timeout on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, poolclass=NullPool)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
    else:
        engine = create_engine(parsed, pool_size=8, max_overflow=8, pool_pre_ping=True)
        event.listen(engine, "before_cursor_execute", _count_postgresql_writes)
    event.listen(engine, "rollback_savepoint", held_rows.forget_all)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _begin_sqlite)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()
    register_sqlite_functions(dbapi_connection)


def _begin_sqlite(connection: Connection) -> None:
    mode = "IMMEDIATE" if connection.get_execution_options().get("writer") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def _count_postgresql_writes(
    connection: Connection, _cursor: Any, statement: str, *_args: Any
) -> None:
    """Count statements that may change rows (all but plain SELECTs) on the connection."""
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info["writes"] = connection.info.get("writes", 0) + 1


def _sqlite_file(url: str) -> str | None:
    """The database file of a SQLite URL (None for an in-memory database)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


class Database:
    """Runs jobs (functions of a Connection) on the writer thread or on a reader thread."""

    def __init__(
        self, url: str, *, readers: int = 4, writers: int = 1, notify_work: bool = False
    ) -> None:
        """`writers`: on PostgreSQL, that many writer threads (each with its connection) take
        batches from the one queue at once (SQLite has one: its write lock admits one writer).
        `notify_work`: on PostgreSQL, scheduling work notifies the processes that run the
        controllers (for a process that does not run them itself; storage/work.py)."""
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self.notify_work = notify_work and self.dialect == "postgresql"
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="cascade-read")
        self._local = threading.local()
        self._checkpointer = WalCheckpointer(self.engine) if self.dialect == "sqlite" else None
        self._statistics = FirstStatistics(self.engine) if self.dialect == "postgresql" else None
        # The SQLite database file (None on PostgreSQL or in memory): its lock file, sockets.
        self.sqlite_file = _sqlite_file(url) if self.dialect == "sqlite" else None
        self._write_lock = WriteLock(self.sqlite_file)
        # The entities each commit wrote events about: told in process, and to the other
        # processes by pg_notify on PostgreSQL, by UNIX datagrams on a SQLite file
        # (storage/committed.py, storage/entity_notices.py, storage/socket_notices.py).
        self.committed = CommitFeed()
        self.origin = uuid.uuid4().hex
        self.notice_directory = self._notice_directory()
        self._notifier = self._make_notifier()
        count = max(1, writers) if self.dialect == "postgresql" else 1
        self._writers = [
            threading.Thread(target=self._write_loop, name=f"cascade-writer-{n}", daemon=True)
            for n in range(count)
        ]
        for writer in self._writers:
            writer.start()

    @property
    def notices_cross_processes(self) -> bool:
        """Whether other processes on this database hear this one's committed entities."""
        return self._notifier is not None

    def _notice_directory(self) -> Path | None:
        """On a SQLite file, the directory of its processes' notice sockets."""
        return None if self.sqlite_file is None else notice_directory(self.sqlite_file)

    def _make_notifier(self) -> CommitNotifier | None:
        if self.dialect == "postgresql":
            return EntityNotifier(self.engine, self.origin)
        if self.notice_directory is not None:
            return SocketNotifier(self.notice_directory, self.origin)
        return None

    # --- public API -------------------------------------------------------------------------

    async def write(self, job: Job[T]) -> T:
        """Run `job` in a transaction on the writer thread; its effects are committed on return."""
        return await asyncio.wrap_future(self.submit_write(job))

    async def read(self, job: Job[T], *, snapshot: bool = True) -> T:
        """Run `job` on a reader connection, in one read transaction (a consistent snapshot).

        With `snapshot=False` no transaction is opened: for jobs of a single statement (a get by
        id), which are consistent on their own.
        """
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, job, snapshot)

    def submit_write(self, job: Job[T]) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put(Pending(tracing.carried(job), future))
        return future

    def write_sync(self, job: Job[T]) -> T:
        return self.submit_write(job).result()

    def read_sync(self, job: Job[T], *, snapshot: bool = True) -> T:
        return self._readers.submit(self._read, job, snapshot).result()

    def close(self) -> None:
        self._queue.put(None)  # each writer passes it on to the next as it ends
        for writer in self._writers:
            writer.join(timeout=10)
        if self._checkpointer is not None:
            self._checkpointer.close()
        if self._statistics is not None:
            self._statistics.close()
        if self._notifier is not None:
            self._notifier.close()
        if self.notice_directory is not None:
            remove_if_empty(self.notice_directory)
        self._readers.shutdown(wait=True)
        self.engine.dispose()
        self._write_lock.close()

    # --- reader threads ---------------------------------------------------------------------

    def _read(self, job: Job[T], snapshot: bool) -> T:
        connection = self._reader_connection(snapshot)
        try:
            if snapshot:
                with connection.begin():
                    return job(connection)
            try:
                return job(connection)
            finally:
                if connection.in_transaction():  # a job that used SQLAlchemy began one
                    connection.rollback()
        except Exception:
            if connection.invalidated:
                self._drop_reader_connection(snapshot)
            raise

    def _reader_connection(self, snapshot: bool) -> Connection:
        """This thread's connection; on PostgreSQL, an autocommit one for reads without BEGIN.

        SQLite needs no second connection: its driver starts no transaction by itself.
        """
        name = "connection" if snapshot or self.dialect == "sqlite" else "autocommit"
        connection: Connection | None = getattr(self._local, name, None)
        if connection is None or connection.invalidated:
            connection = self.engine.connect()
            if name == "autocommit":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            setattr(self._local, name, connection)
        return connection

    def _drop_reader_connection(self, snapshot: bool) -> None:
        name = "connection" if snapshot or self.dialect == "sqlite" else "autocommit"
        setattr(self._local, name, None)

    # --- writer thread ----------------------------------------------------------------------

    def _write_loop(self) -> None:
        """Take batches until `close`; never raises (a raising writer would leave every later
        caller waiting for ever): a failure is answered to its batch's callers, and the next
        batch connects again."""
        connection: Connection | None = None
        while (batch := self._next_batch()) is not None:
            try:
                connection = self._write_batch(connection, batch)
            except Exception as exc:  # a bug of ours: still no caller left waiting
                log.exception("the writer failed on a batch of %d jobs", len(batch))
                fail_unsettled(batch, exc)
                close_quietly(connection)
                connection = None
            if self._checkpointer is not None:
                self._checkpointer.committed()
            if self._statistics is not None:
                self._statistics.committed()
        close_quietly(connection)
        pool_cursors.close_thread()

    def _next_batch(self) -> list[Pending] | None:
        """The jobs waiting, up to MAX_BATCH, waiting for one; None once `close` was asked
        (passed on to the next writer)."""
        first = self._queue.get()
        if first is None:
            self._queue.put(None)
            return None
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self._queue.put(None)
                break
            batch.append(more)
        return batch

    def _write_batch(
        self, connection: Connection | None, batch: list[Pending]
    ) -> Connection | None:
        """Run `batch` on `connection`, connecting first when there is none; the connection
        for the next batch (None: connect again). A failure to connect fails the batch."""
        if connection is None:
            try:
                connection = self._writer_connection()
            except Exception as exc:
                log.error("the writer cannot connect to the database: %s", exc)
                fail_unsettled(batch, exc)
                return None
        return self._run_batch(connection, batch)

    def _writer_connection(self) -> Connection:
        connection = self.engine.connect().execution_options(
            writer=True, notify_work=self.notify_work
        )
        if self._checkpointer is not None:
            try:
                self._checkpointer.configure_writer(connection.connection.dbapi_connection)
            except Exception:
                close_quietly(connection)
                raise
        return connection

    def _run_batch(self, connection: Connection, batch: list[Pending]) -> Connection | None:
        try:
            try:
                outcomes = self._transaction(connection, batch, isolate=False)
            except FailedAfterWritingError as failed:
                if len(batch) == 1:  # the rollback undid exactly that job's writes
                    outcomes = [(batch[0], False, failed.error)]
                else:
                    outcomes = self._transaction(connection, batch, isolate=True)
        except Exception as exc:
            log.warning("group commit of %d jobs failed: %s", len(batch), exc)
            close_quietly(connection)
            if len(batch) == 1:
                settle(batch[0].future, False, exc)
                return None
            next_connection: Connection | None = None
            for pending in batch:  # one at a time, so one bad job fails alone
                next_connection = self._write_batch(next_connection, [pending])
            return next_connection
        for pending, ok, value in outcomes:
            settle(pending.future, ok, value)
        return connection

    def _transaction(
        self, connection: Connection, batch: list[Pending], *, isolate: bool
    ) -> list[tuple[Pending, bool, Any]]:
        """Run the jobs in one transaction; `isolate` puts each in a savepoint.

        Without savepoints a job that raises after changing rows raises `FailedAfterWritingError`
        (after the rollback), so that the caller can run the batch again isolated.
        """
        outcomes: list[tuple[Pending, bool, Any]] = []
        take_touched(connection)  # what a transaction that rolled back marked
        held_rows.open_(connection)
        try:
            with self._write_lock, connection.begin():
                self._jobs(connection, batch, isolate, outcomes)
        finally:
            held_rows.close(connection)
        self._published(take_touched(connection))
        return outcomes

    def _jobs(
        self,
        connection: Connection,
        batch: list[Pending],
        isolate: bool,
        outcomes: list[tuple[Pending, bool, Any]],
    ) -> None:
        for pending in batch:
            if isolate:
                try:
                    with connection.begin_nested():
                        outcomes.append((pending, True, pending.job(connection)))
                except Exception as exc:
                    outcomes.append((pending, False, exc))
                continue
            before = rows_changed(connection)
            try:
                outcomes.append((pending, True, pending.job(connection)))
            except Exception as exc:
                if rows_changed(connection) != before or transaction_broken(connection):
                    raise FailedAfterWritingError(exc) from exc
                outcomes.append((pending, False, exc))

    def _published(self, ids: set[str]) -> None:
        """Tell listeners which entities the transaction just committed had events about."""
        if ids:
            self.committed.publish(ids)
            if self._notifier is not None:
                self._notifier.send(ids)
