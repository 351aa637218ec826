"""The writer's group commit: jobs batched in one transaction still fail alone.

Jobs run without savepoints; a job that raises after writing makes the batch run again with
one savepoint per job. Either way a failed job leaves nothing behind and the others commit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from cascade.bootstrap import Cascade
from cascade.storage.database import Database
from cascade.storage.tables import pool_cursor


def add(name: str) -> Callable[[Connection], str]:
    def job(connection: Connection) -> str:
        connection.execute(insert(pool_cursor).values(pool=name, next_ordinal=1))
        return name

    return job


def add_then_fail(name: str) -> Callable[[Connection], str]:
    def job(connection: Connection) -> str:
        connection.execute(insert(pool_cursor).values(pool=name, next_ordinal=1))
        raise ValueError(f"{name} failed after writing")

    return job


def fail_before_writing(name: str) -> Callable[[Connection], str]:
    def job(connection: Connection) -> str:
        connection.execute(select(func.count()).select_from(pool_cursor)).scalar_one()
        raise LookupError(f"{name} failed before writing")

    return job


def pools(database: Database) -> list[str]:
    rows = database.read_sync(lambda c: c.execute(select(pool_cursor.c.pool)).scalars().all())
    return sorted(rows)


@pytest.fixture
def database(cascade: Cascade) -> Iterator[Database]:
    yield cascade.database


def in_one_batch(database: Database, jobs: list[Callable[[Connection], str]]) -> list[Any]:
    """Submit `jobs` while the writer is held, so that it takes them as one batch."""
    release, holding = threading.Event(), threading.Event()

    def hold(_connection: Connection) -> None:
        holding.set()
        release.wait(10)

    blocker = database.submit_write(hold)
    holding.wait(10)
    futures: list[Future[str]] = [database.submit_write(job) for job in jobs]
    release.set()
    blocker.result(10)
    outcomes: list[Any] = []
    for future in futures:
        try:
            outcomes.append(future.result(10))
        except Exception as exc:
            outcomes.append(type(exc))
    return outcomes


def test_a_job_failing_before_writing_fails_alone(database: Database) -> None:
    outcomes = in_one_batch(database, [add("a"), fail_before_writing("b"), add("c")])

    assert outcomes == ["a", LookupError, "c"]
    assert pools(database) == ["a", "c"]


def test_a_job_failing_after_writing_leaves_nothing(database: Database) -> None:
    outcomes = in_one_batch(database, [add("a"), add_then_fail("b"), add("c")])

    assert outcomes == ["a", ValueError, "c"]
    assert pools(database) == ["a", "c"]


def test_a_failing_statement_fails_only_its_job(database: Database) -> None:
    database.write_sync(add("taken"))

    outcomes = in_one_batch(database, [add("a"), add("taken"), add("c"), add_then_fail("d")])

    assert outcomes == ["a", IntegrityError, "c", ValueError]
    assert pools(database) == ["a", "c", "taken"]


def test_a_lone_job_failing_after_writing_leaves_nothing(database: Database) -> None:
    with pytest.raises(ValueError):
        database.write_sync(add_then_fail("alone"))
    database.write_sync(add("next"))

    assert pools(database) == ["next"]


def test_reads_without_a_snapshot_leave_no_transaction_open(database: Database) -> None:
    database.write_sync(add("a"))

    def count_and_report(connection: Connection) -> tuple[int, bool]:
        count = connection.execute(select(func.count()).select_from(pool_cursor)).scalar_one()
        return count, connection.in_transaction()

    count, _ = database.read_sync(count_and_report, snapshot=False)
    still_open = database.read_sync(lambda c: c.in_transaction(), snapshot=False)

    assert count == 1
    assert still_open is False


def test_several_writers_commit_batches_side_by_side_on_postgresql(
    cascade: Cascade, database_url: str
) -> None:
    """With three writers, three jobs each waiting inside its transaction for the other two
    all run at once and commit; SQLite keeps one writer (its write lock admits one)."""
    writers = Database(database_url, readers=1, writers=3)
    all_open = threading.Barrier(3, timeout=30)
    started = threading.Semaphore(0)

    def meet(name: str) -> Callable[[Connection], str]:
        def job(connection: Connection) -> str:
            connection.execute(insert(pool_cursor).values(pool=name, next_ordinal=1))
            started.release()
            all_open.wait()
            return name

        return job

    try:
        if database_url.startswith("sqlite"):
            assert len(writers._writers) == 1
            return
        futures = []
        for n in range(3):  # one at a time: each job is running before the next is queued
            futures.append(writers.submit_write(meet(f"w{n}")))
            assert started.acquire(timeout=30)
        assert sorted(f.result(timeout=60) for f in futures) == ["w0", "w1", "w2"]
    finally:
        writers.close()
    assert pools(cascade.database) == ["w0", "w1", "w2"]
