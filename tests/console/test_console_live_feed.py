"""What feeds the console's live pages, on both databases: the ids of the entities whose
events a transaction made, told once it has committed (never for one that rolled back), and
the PostgreSQL notices that carry them to other processes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.storage.committed import CommitFeed
from cascade.storage.entity_notices import MAX_PAYLOAD, parse, payloads, relay

BODY = {"productOrderItem": [{"id": "1", "action": "add", "productOffering": {"id": "po-x"}}]}


class BoomError(Exception):
    pass


def test_a_commit_is_heard_and_a_rollback_is_not(cascade: Cascade) -> None:
    repository = cascade.repositories[kinds.PRODUCT_ORDER]

    def insert(connection: Any) -> str:
        return repository.insert(connection, dict(BODY)).id

    def insert_then_fail(connection: Any) -> None:
        repository.insert(connection, dict(BODY), id_="rolled-back")
        raise BoomError

    async def scenario() -> tuple[frozenset[str] | None, str, frozenset[str] | None, str]:
        listener = cascade.database.committed.subscribe()
        try:
            with pytest.raises(BoomError):
                await cascade.database.write(insert_then_fail)
            created = await cascade.database.write(insert)
            heard = await listener.wait(60)
            changed_id = created
            loaded_then_saved = await cascade.database.write(
                lambda c: repository.save(c, repository.load(c, changed_id))  # type: ignore[arg-type]
            )
            assert loaded_then_saved == 2
            again = await listener.wait(60)
            return heard, created, again, changed_id
        finally:
            listener.close()

    heard, created, again, changed = asyncio.run(scenario())
    assert heard == frozenset({created})  # not "rolled-back": its transaction never committed
    assert again == frozenset({changed})


def test_a_listener_times_out_and_hears_everything_after_a_gap() -> None:
    async def scenario() -> list[Any]:
        feed = CommitFeed()
        listener = feed.subscribe()
        quiet = await listener.wait(0.01)
        feed.publish(["a"])
        feed.publish(None)  # a notice may have been missed
        return [quiet, await listener.wait(60)]

    assert asyncio.run(scenario()) == [None, None]


def test_notices_carry_every_id_within_the_payload_limit() -> None:
    ids = {f"order-{n:05d}-{'x' * 40}" for n in range(600)}
    sent = list(payloads("me", ids))
    assert len(sent) > 1 and all(len(p.encode()) < MAX_PAYLOAD + 200 for p in sent)
    carried: set[str] = set()
    for payload in sent:
        parsed = parse(payload)
        assert parsed is not None and parsed[0] == "me"
        carried |= set(parsed[1])
    assert carried == ids
    assert parse("not json") is None


def test_a_process_skips_its_own_notices() -> None:
    async def scenario() -> list[Any]:
        feed = CommitFeed()
        listener = feed.subscribe()
        heard = relay(feed, "me")
        heard(next(payloads("me", {"mine"})))
        heard(next(payloads("other", {"theirs"})))
        return [await listener.wait(60)]

    assert asyncio.run(scenario()) == [frozenset({"theirs"})]
