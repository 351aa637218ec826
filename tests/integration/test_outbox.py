"""Events commit with their change, and only with it (the outbox shares its transaction)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, select

from cascade.apis.kinds import PRODUCT_OFFERING
from cascade.apis.v4 import TMF620
from cascade.bootstrap import Cascade
from cascade.storage.tables import entity, event_outbox
from tests.integration.test_group_commit import in_one_batch

KIND = PRODUCT_OFFERING.name


def create(cascade: Cascade, name: str, fail: bool = False) -> Callable[[Connection], str]:
    offerings = cascade.repositories[PRODUCT_OFFERING]

    def job(connection: Connection) -> str:
        offerings.insert(connection, {"name": name, "lifecycleStatus": "In design"})
        if fail:
            raise ValueError(f"{name} failed after writing")
        return name

    return job


def stored(cascade: Cascade) -> tuple[list[str], list[str]]:
    """The offerings stored, and the names their outbox events carry."""

    def read(connection: Connection) -> tuple[list[str], list[str]]:
        ids = connection.execute(select(entity.c.doc).where(entity.c.kind == KIND)).scalars()
        envelopes = connection.execute(
            select(event_outbox.c.envelope).where(event_outbox.c.kind == KIND)
        ).scalars()
        names = sorted(json.loads(doc)["name"] for doc in ids)
        events = sorted(json.loads(e)["event"]["productOffering"]["name"] for e in envelopes)
        return names, events

    return cascade.database.read_sync(read)


@pytest.fixture(autouse=True)
def subscribed(cascade: Cascade) -> None:
    """Events are recorded only for APIs with subscribers."""
    hub = cascade.repositories[TMF620.hub.kind]
    cascade.database.write_sync(lambda c: hub.insert(c, {"callback": "http://127.0.0.1:9/x"}))


def test_a_change_that_rolls_back_leaves_no_event(cascade: Cascade) -> None:
    with pytest.raises(ValueError):
        cascade.database.write_sync(create(cascade, "lost", fail=True))
    assert stored(cascade) == ([], [])


def test_no_subscriber_no_event(cascade: Cascade) -> None:
    hubs = cascade.repositories[TMF620.hub.kind]
    cascade.database.write_sync(lambda c: hubs.table.delete(c, hubs.find(c, [])[0]["id"]))
    cascade.database.write_sync(create(cascade, "unheard"))
    assert stored(cascade) == (["unheard"], [])


def test_in_a_group_commit_each_change_keeps_exactly_its_own_events(cascade: Cascade) -> None:
    jobs = [create(cascade, "a"), create(cascade, "b", fail=True), create(cascade, "c")]
    outcomes = in_one_batch(cascade.database, jobs)
    assert outcomes == ["a", ValueError, "c"]
    assert stored(cascade) == (["a", "c"], ["a", "c"])
