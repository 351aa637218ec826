"""Pool allocations on SQLite and PostgreSQL: idempotent per owner, exhaustion, release and
reuse, scoped pools, and several OS processes allocating from one small pool at once."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
from collections import Counter
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Connection, delete, select

from cascade.bootstrap import Cascade
from cascade.catalogs import demo_catalog
from cascade.domain.pools import MissingScope, PoolDefinition, pool_for
from cascade.storage.allocations import (
    Allocation,
    OwnerConflict,
    PoolExhausted,
    allocate,
    allocation_of,
    allocations,
    release,
)
from cascade.storage.database import Database, Job
from cascade.storage.tables import allocation, pool_cursor
from tests.waiting import PATIENCE_S, until

PROCESSES = 4


def numbers(low: int, high: int, spec_id: str = "rs-numbers") -> PoolDefinition:
    definition = pool_for(
        {
            "id": spec_id,
            "resourceSpecCharacteristic": [
                {
                    "name": "n",
                    "valueType": "integer",
                    "configurable": False,
                    "minCardinality": 1,
                    "resourceSpecCharacteristicValue": [
                        {"valueType": "integer", "valueFrom": low, "valueTo": high}
                    ],
                }
            ],
        }
    )
    assert definition is not None
    return definition


def demo_pool(spec_id: str) -> PoolDefinition:
    (document,) = [
        s for s in demo_catalog()["tmf634"]["resourceSpecification"] if s["id"] == spec_id
    ]
    definition = pool_for(document)
    assert definition is not None
    return definition


def take(cascade: Cascade, definition: PoolDefinition, owner: str, **context: Any) -> Allocation:
    return cascade.database.write_sync(lambda c: allocate(c, definition, context, owner))


def snapshot(connection: Connection) -> tuple[list[Any], list[Any]]:
    held = connection.execute(select(allocation).order_by(allocation.c.pool, allocation.c.ordinal))
    cursors = connection.execute(select(pool_cursor).order_by(pool_cursor.c.pool))
    return [tuple(r) for r in held], [tuple(r) for r in cursors]


def test_allocations_take_ordinals_in_order_and_keep_their_values(cascade: Cascade) -> None:
    definition = numbers(10, 19)
    first, second = take(cascade, definition, "o-1"), take(cascade, definition, "o-2")
    assert first == Allocation("rs-numbers", 0, "o-1", {"n": 10})
    assert second == Allocation("rs-numbers", 1, "o-2", {"n": 11})
    found = cascade.database.read_sync(lambda c: (allocation_of(c, "o-2"), allocations(c)))
    assert found == (second, [first, second])


def test_the_same_owner_gets_its_allocation_back(cascade: Cascade) -> None:
    definition = numbers(1, 5)
    first = take(cascade, definition, "item-1")
    assert take(cascade, definition, "item-1") == first

    def twice_in_one_transaction(connection: Connection) -> list[Allocation]:
        return [allocate(connection, definition, {}, "item-2") for _ in range(2)]

    again = cascade.database.write_sync(twice_in_one_transaction)
    assert again[0] == again[1]
    assert [a.ordinal for a in cascade.database.read_sync(allocations)] == [0, 1]
    assert take(cascade, definition, "item-3").ordinal == 2  # retries did not use up values


def test_an_owner_holds_one_value_only(cascade: Cascade) -> None:
    take(cascade, numbers(1, 5, "rs-a"), "item-1")
    with pytest.raises(OwnerConflict, match="rs-a"):
        take(cascade, numbers(1, 5, "rs-b"), "item-1")
    assert cascade.database.read_sync(lambda c: allocations(c, "rs-b")) == []


def test_exhaustion_raises_and_changes_nothing(cascade: Cascade) -> None:
    definition = numbers(1, 3)
    for owner in ("a", "b", "c"):
        take(cascade, definition, owner)
    before = cascade.database.read_sync(snapshot)
    with pytest.raises(PoolExhausted) as exhausted:
        take(cascade, definition, "d")
    assert "rs-numbers" in str(exhausted.value) and "3" in str(exhausted.value)
    assert (exhausted.value.pool, exhausted.value.size) == ("rs-numbers", 3)
    assert cascade.database.read_sync(snapshot) == before
    assert cascade.database.read_sync(lambda c: allocation_of(c, "d")) is None


def test_released_values_are_reused_lowest_first(cascade: Cascade) -> None:
    definition = numbers(1, 4)
    held = {owner: take(cascade, definition, owner) for owner in ("a", "b", "c")}
    released = cascade.database.write_sync(lambda c: release(c, "b"))
    assert released == held["b"]
    assert cascade.database.write_sync(lambda c: release(c, "b")) is None
    assert cascade.database.read_sync(lambda c: allocation_of(c, "b")) is None
    # never-used values come first, then the gaps, lowest first
    assert take(cascade, definition, "d").values == {"n": 4}
    assert take(cascade, definition, "e").values == {"n": 2}
    for owner in ("c", "a"):
        cascade.database.write_sync(partial(release, owner=owner))
    assert [take(cascade, definition, o).values["n"] for o in ("f", "g")] == [1, 3]
    with pytest.raises(PoolExhausted):
        take(cascade, definition, "h")
    # the released owner may allocate again (a new resource for the same item)
    cascade.database.write_sync(partial(release, owner="f"))
    assert take(cascade, definition, "b").values == {"n": 1}


def test_scopes_keep_vlans_per_olt_apart(cascade: Cascade) -> None:
    vlan = demo_pool("rs-vlan")
    one = take(cascade, vlan, "item-1", oltId="olt-1")
    two = take(cascade, vlan, "item-2", oltId="olt-2")
    three = take(cascade, vlan, "item-3", oltId="olt-1")
    assert (one.pool, one.values) == ("rs-vlan|oltId=olt-1", {"vlanId": 100, "oltId": "olt-1"})
    assert (two.pool, two.values) == ("rs-vlan|oltId=olt-2", {"vlanId": 100, "oltId": "olt-2"})
    assert three.values["vlanId"] == 101
    on_olt_1 = cascade.database.read_sync(lambda c: allocations(c, "rs-vlan|oltId=olt-1"))
    assert on_olt_1 == [one, three]
    before = cascade.database.read_sync(snapshot)
    with pytest.raises(MissingScope, match="oltId"):
        take(cascade, vlan, "item-4")
    assert cascade.database.read_sync(snapshot) == before


def test_port_then_vlan_on_the_port_olt(cascade: Cascade) -> None:
    port, vlan = demo_pool("rs-gpon-port"), demo_pool("rs-vlan")

    def job(connection: Connection) -> tuple[Allocation, Allocation]:
        got_port = allocate(connection, port, {}, "order-1/port")
        got_vlan = allocate(connection, vlan, got_port.values, "order-1/vlan")
        return got_port, got_vlan

    got_port, got_vlan = cascade.database.write_sync(job)
    assert got_port.values == {"oltId": "olt-1", "portNumber": 1}
    assert got_vlan.values == {"vlanId": 100, "oltId": "olt-1"}
    assert cascade.database.write_sync(job) == (got_port, got_vlan)


def test_demo_ipv4_and_msisdn_values(cascade: Cascade) -> None:
    address = take(cascade, demo_pool("rs-ipv4-address"), "ip-1")
    assert address.values == {"ipv4Address": "100.64.0.1", "poolPrefix": "100.64.0.0/16"}
    assert take(cascade, demo_pool("rs-msisdn"), "line-1").values == {"msisdn": "447700900000"}


def test_pool_prefix_is_literal(cascade: Cascade) -> None:
    take(cascade, numbers(1, 2, "rs_x"), "a")
    take(cascade, numbers(1, 2, "rsAx"), "b")
    assert [a.owner for a in cascade.database.read_sync(lambda c: allocations(c, "rs_"))] == ["a"]
    assert len(cascade.database.read_sync(allocations)) == 2


def test_a_lost_cursor_resumes_after_the_highest_held_ordinal(cascade: Cascade) -> None:
    definition = numbers(1, 9)
    for owner in ("a", "b", "c"):
        take(cascade, definition, owner)
    cascade.database.write_sync(lambda c: c.execute(delete(pool_cursor)))
    assert take(cascade, definition, "d").ordinal == 3


# --- several OS processes at once ----------------------------------------------------------


def _worker(
    url: str,
    definition: PoolDefinition,
    owners: list[str],
    churn: bool,
    start: Any,
    results: Any,
) -> None:
    """Allocate for `owners` in small concurrent batches; with `churn`, release as it goes."""
    database = Database(url, readers=1)
    rng = random.Random(owners[0])
    outcome: list[tuple[str, str, Any]] = []
    held: list[str] = []
    start.wait()
    try:
        for at in range(0, len(owners), 3):
            chunk = owners[at : at + 3]
            futures = [
                (
                    owner,
                    database.submit_write(
                        partial(allocate, definition=definition, context={}, owner=owner)
                    ),
                )
                for owner in chunk
            ]
            for owner, future in futures:
                try:
                    got = future.result()
                    outcome.append(("allocated", owner, (got.ordinal, got.values)))
                    held.append(owner)
                except PoolExhausted:
                    outcome.append(("exhausted", owner, None))
            if churn and held and rng.random() < 0.5:
                owner = held.pop(rng.randrange(len(held)))
                freed = database.write_sync(partial(release, owner=owner))
                assert freed is not None
                outcome.append(("released", owner, (freed.ordinal, freed.values)))
    except Exception as exc:
        outcome.append(("error", repr(exc), None))
    finally:
        results.put(outcome)
        database.close()


def _run_processes(
    url: str, definition: PoolDefinition, per_process: int, churn: bool
) -> list[tuple[str, str, Any]]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            args=(
                url,
                definition,
                [f"p{p}-owner-{n:03d}" for n in range(per_process)],
                churn,
                start,
                results,
            ),
        )
        for p in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [entry for _ in processes for entry in results.get(timeout=300)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return outcomes


def test_processes_never_share_a_value_and_exhaust_exactly_at_the_size(
    cascade: Cascade, database_url: str
) -> None:
    definition = numbers(1, 40)
    outcomes = _run_processes(database_url, definition, per_process=15, churn=False)
    assert [o for o in outcomes if o[0] == "error"] == []
    kinds = Counter(kind for kind, _, _ in outcomes)
    assert kinds == {"allocated": 40, "exhausted": PROCESSES * 15 - 40}
    allocated = {owner: got for kind, owner, got in outcomes if kind == "allocated"}
    assert sorted(values["n"] for _, values in allocated.values()) == list(range(1, 41))
    stored = cascade.database.read_sync(allocations)
    assert {a.owner: (a.ordinal, a.values) for a in stored} == allocated


def test_processes_allocating_and_releasing_account_for_every_value(
    cascade: Cascade, database_url: str
) -> None:
    definition = numbers(1, 24)
    outcomes = _run_processes(database_url, definition, per_process=18, churn=True)
    assert [o for o in outcomes if o[0] == "error"] == []
    allocated = {owner: got for kind, owner, got in outcomes if kind == "allocated"}
    released = {owner: got for kind, owner, got in outcomes if kind == "released"}
    assert released and all(allocated[owner] == got for owner, got in released.items())
    still_held = {owner: got for owner, got in allocated.items() if owner not in released}
    stored = cascade.database.read_sync(allocations)
    assert {a.owner: (a.ordinal, a.values) for a in stored} == still_held
    assert len({a.values["n"] for a in stored}) == len(stored)
    exhausted = sum(kind == "exhausted" for kind, _, _ in outcomes)
    assert len(allocated) + exhausted == PROCESSES * 18
    # whatever is free now can be taken, and no more
    free = definition.size - len(stored)
    for n in range(free):
        take(cascade, definition, f"late-{n}")
    with pytest.raises(PoolExhausted):
        take(cascade, definition, "late-extra")


def _open_writers(database_url: str) -> list[Database]:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one write transaction at a time: nothing to hold up")
    return [Database(database_url, readers=1) for _ in range(2)]


def test_crossed_pools_deadlock_no_one(cascade: Cascade, database_url: str) -> None:
    """Two writers taking two pools in opposite orders, each holding its first value while the
    other takes its own: both commit (the cursors are not locked by the transactions)."""
    first_pool, second_pool = numbers(1, 5, "rs-a"), numbers(1, 5, "rs-b")
    both_hold_one = threading.Barrier(2, timeout=30)

    def crossed(one: PoolDefinition, other: PoolDefinition, tag: str) -> Job[Allocation]:
        def job(connection: Connection) -> Allocation:
            allocate(connection, one, {}, f"{tag}-1")
            both_hold_one.wait()
            return allocate(connection, other, {}, f"{tag}-2")

        return job

    writers = _open_writers(database_url)
    try:
        futures = [
            writers[0].submit_write(crossed(first_pool, second_pool, "x")),
            writers[1].submit_write(crossed(second_pool, first_pool, "y")),
        ]
        got = sorted((a.pool, a.ordinal) for a in (f.result(timeout=60) for f in futures))
    finally:
        for writer in writers:
            writer.close()
    assert got == [("rs-a", 1), ("rs-b", 1)]
    held = {a.owner: (a.pool, a.ordinal) for a in cascade.database.read_sync(allocations)}
    assert held == {
        "x-1": ("rs-a", 0),
        "x-2": ("rs-b", 1),
        "y-1": ("rs-b", 0),
        "y-2": ("rs-a", 1),
    }


def test_an_open_allocating_transaction_holds_up_no_other_writer(
    cascade: Cascade, database_url: str
) -> None:
    """While one transaction that allocated stays open, another writer allocates from the
    same pool and commits; a value whose transaction rolled back is a gap, reused later."""
    definition = numbers(1, 3)
    other_committed = threading.Event()
    writers = _open_writers(database_url)

    def holder(connection: Connection) -> None:
        allocate(connection, definition, {}, "held-open")
        assert other_committed.wait(timeout=30), "the other writer waited for this transaction"
        raise RuntimeError("roll back")  # the value it took becomes a gap

    try:
        open_one = writers[0].submit_write(holder)
        deadline = time.monotonic() + 30
        while committed_cursor(writers[1]) is None:  # the holder's allocation is made
            assert time.monotonic() < deadline, "the holder never allocated"
        got = writers[1].write_sync(lambda c: allocate(c, definition, {}, "other"))
        other_committed.set()
        assert isinstance(open_one.exception(timeout=60), RuntimeError)
    finally:
        for writer in writers:
            writer.close()
    assert (got.ordinal, got.values) == (1, {"n": 2})
    assert [take(cascade, definition, o).ordinal for o in ("c", "d")] == [2, 0]  # 0: the gap
    with pytest.raises(PoolExhausted):
        take(cascade, definition, "e")


def test_a_gap_taken_by_an_open_transaction_is_skipped_not_waited_for(
    cascade: Cascade, database_url: str
) -> None:
    """Once the cursor is at the pool's size: while one transaction holds the lowest gap
    uncommitted, another writer takes the next gap at once (it used to wait on the primary key
    for the first to end, and two batches each holding what the other wanted deadlocked)."""
    definition = numbers(1, 3)
    for owner in ("a", "b", "c"):
        take(cascade, definition, owner)
    for owner in ("a", "b"):  # ordinals 0 and 1 become gaps
        cascade.database.write_sync(partial(release, owner=owner))
    holder_in, other_committed = threading.Event(), threading.Event()
    writers = _open_writers(database_url)

    def holder(connection: Connection) -> int:
        got = allocate(connection, definition, {}, "held-open").ordinal
        holder_in.set()
        assert other_committed.wait(timeout=PATIENCE_S), "the other writer waited for this one"
        return got

    try:
        open_one = writers[0].submit_write(holder)
        until(holder_in.is_set, "the holder's allocation")
        got = writers[1].write_sync(lambda c: allocate(c, definition, {}, "other"))
        other_committed.set()
        assert open_one.result(timeout=PATIENCE_S) == 0
    finally:
        other_committed.set()
        for writer in writers:
            writer.close()
    assert got.ordinal == 1
    with pytest.raises(PoolExhausted):
        take(cascade, definition, "d")


def committed_cursor(writer: Database) -> int | None:
    """The pool's cursor as committed (the holder's cursor move commits at once)."""
    found = writer.read_sync(
        lambda c: c.execute(select(pool_cursor.c.next_ordinal)).scalar_one_or_none()
    )
    return None if found is None else int(found)
