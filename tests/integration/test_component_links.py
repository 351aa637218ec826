"""The `remote_order` rows of a component, on SQLite and PostgreSQL: claims, nudges, settles."""

from __future__ import annotations

from sqlalchemy import Connection, select

from cascade.bootstrap import Cascade
from cascade.components import links
from cascade.storage import work
from cascade.storage.tables import remote_order

SO = "serviceOrder"
TASK = "cancelServiceOrder"
KINDS = (SO, TASK)
URL = "http://som.test/tmf-api/serviceOrdering/v4/serviceOrder"
POLL_MS = 60_000


def due_in_ms(connection: Connection, local_id: str) -> int:
    due = connection.execute(
        select(remote_order.c.due_ms).where(remote_order.c.local_id == local_id)
    ).scalar_one()
    return int(due) - work.now_ms()


def linked(connection: Connection, local_id: str, remote_id: str) -> None:
    """A mirror that SOM has, followed (as after its POST's answer)."""
    links.record_intent(connection, SO, local_id, URL)
    [row] = links.claim(connection, "me", 10_000, 10)
    links.settle(connection, row, "me", POLL_MS, phase=links.LINKED, remote_id=remote_id)


def test_an_event_makes_its_followed_mirror_due_at_once(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        linked(connection, "local-1", "remote-1")
        linked(connection, "local-2", "remote-2")
        assert due_in_ms(connection, "local-1") > POLL_MS - 5_000
        assert links.nudge(connection, KINDS, "remote-1") == 1
        assert due_in_ms(connection, "local-1") <= 0
        assert due_in_ms(connection, "local-2") > POLL_MS - 5_000  # the other one waits

    cascade.database.write_sync(scenario)


def test_an_event_that_overtakes_the_post_answer_is_not_lost(cascade: Cascade) -> None:
    """SOM works on an order at once: its event can come before COM recorded SOM's id."""

    def scenario(connection: Connection) -> None:
        links.record_intent(connection, SO, "local-1", URL)
        [posting] = links.claim(connection, "me", 10_000, 10)  # the POST is on its way
        assert links.nudge(connection, KINDS, "remote-1") == 0  # nobody has that id yet
        links.settle(connection, posting, "me", POLL_MS, phase=links.LINKED, remote_id="remote-1")
        assert due_in_ms(connection, "local-1") <= 0  # read back now, not after the poll

    cascade.database.write_sync(scenario)


def test_without_an_event_a_followed_mirror_waits_for_the_poll(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        links.record_intent(connection, SO, "local-1", URL)
        [posting] = links.claim(connection, "me", 10_000, 10)
        links.settle(connection, posting, "me", POLL_MS, phase=links.LINKED, remote_id="r")
        assert due_in_ms(connection, "local-1") > POLL_MS - 5_000
        assert links.claim(connection, "me", 10_000, 10) == []  # not due

    cascade.database.write_sync(scenario)


def test_a_lost_lease_keeps_the_other_owners_outcome(cascade: Cascade) -> None:
    def scenario(connection: Connection) -> None:
        links.record_intent(connection, SO, "local-1", URL)
        [row] = links.claim(connection, "first", 10_000, 10)
        assert not links.settle(connection, row, "second", 0, phase=links.FAILED)
        assert links.settle(connection, row, "first", 0, phase=links.LINKED, remote_id="r")
        assert links.counts(connection) == {links.LINKED: 1}

    cascade.database.write_sync(scenario)
