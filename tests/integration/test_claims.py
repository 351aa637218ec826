"""Exclusive claims on SQLite and PostgreSQL: one holder per subject, also when several OS
processes, each with its own writer, take the same claims at the same moment."""

from __future__ import annotations

import multiprocessing
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Connection, select

from cascade.bootstrap import Cascade
from cascade.storage import claims
from cascade.storage.database import Database
from cascade.storage.tables import claim

PROCESSES = 4
SUBJECTS = [f"order-{n:02d}" for n in range(12)]
SCOPE = "cancelProductOrder"


def test_the_first_holder_keeps_a_claim_until_it_is_handed_over_or_released(
    cascade: Cascade,
) -> None:
    write = cascade.database.write_sync
    assert write(lambda c: claims.take(c, SCOPE, "po-1", "task-1")) == "task-1"
    assert write(lambda c: claims.take(c, SCOPE, "po-1", "task-2")) == "task-1"
    assert write(lambda c: claims.take(c, "productChange", "po-1", "order-9")) == "order-9"
    write(lambda c: claims.release(c, SCOPE, "po-1", "task-2"))  # not its claim: kept
    assert write(lambda c: claims.holder_of(c, SCOPE, "po-1")) == "task-1"
    write(lambda c: claims.hand_over(c, SCOPE, "po-1", "task-2"))
    assert write(lambda c: claims.take(c, SCOPE, "po-1", "task-3")) == "task-2"
    write(lambda c: claims.release(c, SCOPE, "po-1", "task-2"))
    assert write(lambda c: claims.holder_of(c, SCOPE, "po-1")) is None


def test_a_claim_released_between_the_takers_insert_and_read_is_taken_again(
    cascade: Cascade, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race `take` retries (ADR 0029): its insert meets the claim of an order that is
    ending, whose transaction then deletes the row and commits before the taker reads it, so
    the taker reads no holder at all. It must insert again and hold the claim.

    On PostgreSQL the ending order's transaction is another process's writer, run to its
    commit between the taker's two statements (an `INSERT ... ON CONFLICT DO NOTHING` locks
    nothing, so it does not wait). On SQLite no transaction can commit while the taker's holds
    the write lock: there the row vanishes inside the taker's transaction instead, which is
    what the taker's read then sees on PostgreSQL.
    """
    scope, subject = "productChange", "product-1"
    write = cascade.database.write_sync
    assert write(lambda c: claims.take(c, scope, subject, "order-ended")) == "order-ended"
    read = claims.holder_of
    reads: list[str | None] = []
    ending = Database(database_url, readers=1)  # the ending order's process

    def release_then_read(connection: Connection, scope_: str, subject_: str) -> str | None:
        if not reads:  # after the taker's insert met the row, before its first read

            def release(c: Connection) -> None:
                claims.release(c, scope, subject, "order-ended")

            if connection.dialect.name == "postgresql":
                ending.write_sync(release)
            else:
                release(connection)
        reads.append(read(connection, scope_, subject_))
        return reads[-1]

    monkeypatch.setattr(claims, "holder_of", release_then_read)
    try:
        assert write(lambda c: claims.take(c, scope, subject, "order-next")) == "order-next"
    finally:
        ending.close()
    assert reads == [None, "order-next"]  # the first read found the row gone: taken again
    monkeypatch.setattr(claims, "holder_of", read)
    assert write(lambda c: claims.holder_of(c, scope, subject)) == "order-next"


def _worker(url: str, name: str, start: Any, results: Any) -> None:
    """Take every subject's claim for `name`, all submitted at once after the barrier."""
    database = Database(url, readers=1)
    outcome: dict[str, str] = {}
    start.wait()
    try:
        futures = {
            subject: database.submit_write(
                partial(claims.take, scope=SCOPE, subject=subject, holder=f"{name}-{subject}")
            )
            for subject in SUBJECTS
        }
        outcome = {subject: future.result() for subject, future in futures.items()}
    except Exception as exc:
        outcome = {"error": repr(exc)}
    finally:
        results.put((name, outcome))
        database.close()


def test_processes_taking_the_same_claims_agree_on_one_holder_each(
    cascade: Cascade, database_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    names = [f"p{n}" for n in range(PROCESSES)]
    processes = [
        context.Process(target=_worker, args=(database_url, name, start, results)) for name in names
    ]
    for process in processes:
        process.start()
    seen = dict(results.get(timeout=300) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    stored = cascade.database.read_sync(
        lambda c: dict(c.execute(select(claim.c.subject, claim.c.holder)).all())
    )
    assert sorted(stored) == SUBJECTS
    for subject in SUBJECTS:
        # Every process was told the one holder stored, and that holder is one of them.
        assert {seen[name].get(subject) for name in names} == {stored[subject]}, seen
        assert stored[subject] in {f"{name}-{subject}" for name in names}
