"""Exclusive claims on SQLite and PostgreSQL: one holder per subject, also when several OS
processes, each with its own writer, take the same claims at the same moment."""

from __future__ import annotations

import multiprocessing
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, delete, select, text

from cascade.bootstrap import Cascade
from cascade.storage import claims
from cascade.storage.database import Database
from cascade.storage.tables import claim
from tests.waiting import PATIENCE_S, until

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


def test_a_take_meeting_an_ending_orders_delete_holds_the_claim_once_it_commits(
    cascade: Cascade, database_url: str
) -> None:
    """A moment ADR 0029 made possible: an ending order's transaction has deleted its claim
    row and not yet committed when another order takes the claim. `take` (one upsert) must
    wait for that transaction rather than answer from the row it can still see, then insert
    anew: the new holder has the claim. On SQLite the write lock runs the two transactions
    one after the other, so there is no such moment to test."""
    if cascade.database.dialect != "postgresql":
        pytest.skip("SQLite's write lock serialises the two transactions")
    scope, subject = "productChange", "product-1"
    write = cascade.database.write_sync
    assert write(lambda c: claims.take(c, scope, subject, "order-ended")) == "order-ended"
    engine = create_engine(database_url)
    try:
        with engine.connect() as ending, engine.connect() as watcher:
            ending_transaction = ending.begin()
            ending.execute(delete(claim).where(claim.c.scope == scope, claim.c.subject == subject))
            taken = cascade.database.submit_write(
                lambda c: claims.take(c, scope, subject, "order-next")
            )
            until(lambda: _waiting_on_a_lock(watcher), "the taker waiting on the deleted row")
            assert not taken.done()
            ending_transaction.commit()
            assert taken.result(timeout=PATIENCE_S) == "order-next"
    finally:
        engine.dispose()
    assert write(lambda c: claims.holder_of(c, scope, subject)) == "order-next"


def _waiting_on_a_lock(watcher: Connection) -> bool:
    waiting = watcher.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    ).scalar_one()
    watcher.commit()  # a fresh snapshot of pg_stat_activity at the next look
    return int(waiting) > 0


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
