"""Exclusive claims on SQLite and PostgreSQL: one holder per subject, also when several OS
processes, each with its own writer, take the same claims at the same moment."""

from __future__ import annotations

import multiprocessing
from functools import partial
from typing import Any

from sqlalchemy import select

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
