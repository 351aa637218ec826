"""The HTTP driver's deactivations and re-configurations, as intent in `remote_activation`:
a queued activation is cancelled rather than raced, one in flight is waited for (the sender's
outcome starts the PATCH), a done one is PATCHed at its remote href."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Connection, select, update

from cascade.bootstrap import Cascade
from cascade.fulfilment.activation.http.answers import Next
from cascade.fulfilment.activation.http.changes import NOTHING_SENT, deactivation_id
from cascade.fulfilment.activation.http.driver import Endpoints, HttpDriver
from cascade.fulfilment.activation.http.sender import HttpSender, SenderSettings
from cascade.fulfilment.activation.port import ActivationRequest, Reconfiguration
from cascade.fulfilment.runtime import working_on
from cascade.storage.tables import remote_activation, work_item

BASE = "http://remote/tmf-api/ServiceActivationAndConfiguration/v4"
REMOTE = f"{BASE}/service/remote-1"


@pytest.fixture
def driver() -> HttpDriver:
    return HttpDriver(Endpoints(BASE, BASE.replace("Service", "Resource")))


def request(target: str = "service") -> ActivationRequest:
    return ActivationRequest("act-1", target, "rfs-qos", {"downloadSpeed": 500})  # type: ignore[arg-type]


def row(connection: Connection, row_id: str) -> Any:
    return connection.execute(
        select(remote_activation).where(remote_activation.c.activation == row_id)
    ).first()


def activated(cascade: Cascade, driver: HttpDriver, target: str = "service") -> None:
    cascade.database.write_sync(lambda c: driver.activate(c, request(target)))


def sent_and_done(cascade: Cascade, href: str = REMOTE) -> None:
    values = {"phase": "done", "tries": 1, "remote_href": href}
    cascade.database.write_sync(
        lambda c: c.execute(
            update(remote_activation)
            .where(remote_activation.c.activation == "act-1")
            .values(**values)
        )
    )


def test_a_queued_activation_is_cancelled_instead_of_sent(
    cascade: Cascade, driver: HttpDriver
) -> None:
    activated(cascade, driver)
    status = cascade.database.write_sync(lambda c: driver.deactivate(c, "act-1"))
    assert status.state == "done"
    activation = cascade.database.read_sync(lambda c: row(c, "act-1"))
    assert (activation.phase, activation.reason) == ("cancelled", NOTHING_SENT)
    undo = cascade.database.read_sync(lambda c: row(c, deactivation_id("act-1")))
    assert (undo.operation, undo.parent, undo.phase) == ("deactivate", "act-1", "done")
    # The activation is never taken up again: no sender claims it, the driver reports it ended.
    sender = HttpSender(cascade.database, SenderSettings())
    assert cascade.database.write_sync(lambda c: sender._claim(c, limit=10)) == []
    again = cascade.database.write_sync(lambda c: driver.activate(c, request()))
    assert (again.state, again.retriable) == ("failed", False)


def test_a_deactivation_waits_for_the_activation_in_flight_then_patches_what_it_made(
    cascade: Cascade, driver: HttpDriver
) -> None:
    activated(cascade, driver)
    sender = HttpSender(cascade.database, SenderSettings())
    (claimed,) = cascade.database.write_sync(lambda c: sender._claim(c, limit=10))

    def deactivate(connection: Connection) -> Any:
        with working_on("tmf640.cancelServiceOrder", "task-1"):
            return driver.deactivate(connection, "act-1")

    assert cascade.database.write_sync(deactivate).state == "pending"
    undo_id = deactivation_id("act-1")
    assert cascade.database.read_sync(lambda c: row(c, undo_id)).phase == "waiting"
    assert cascade.database.read_sync(lambda c: row(c, "act-1")).phase == "post"  # still its own
    # The POST's answer arrives: the deactivation moves on to PATCH the entity it made.
    outcome = Next("done", remote_href=REMOTE)
    assert cascade.database.write_sync(lambda c: sender._record(c, claimed, outcome))
    undo = cascade.database.read_sync(lambda c: row(c, undo_id))
    assert (undo.phase, undo.url, json.loads(undo.body)) == ("patch", REMOTE, {"state": "inactive"})
    (next_up,) = cascade.database.write_sync(lambda c: sender._claim(c, limit=10))
    assert next_up.activation == undo_id
    # Its outcome wakes the step that asked, which then finds it done.
    assert cascade.database.write_sync(lambda c: sender._record(c, next_up, Next("done")))
    woken = cascade.database.read_sync(
        lambda c: c.execute(select(work_item.c.kind, work_item.c.entity_id)).all()
    )
    assert ("tmf640.cancelServiceOrder", "task-1") in {tuple(w) for w in woken}
    assert cascade.database.write_sync(deactivate).state == "done"


def test_a_done_resource_activation_is_locked_by_a_patch_at_its_href(
    cascade: Cascade, driver: HttpDriver
) -> None:
    activated(cascade, driver, "resource")
    sent_and_done(cascade, "/tmf-api/ResourceActivationAndConfiguration/v4/resource/r-9")
    assert cascade.database.write_sync(lambda c: driver.deactivate(c, "act-1")).state == "pending"
    undo = cascade.database.read_sync(lambda c: row(c, deactivation_id("act-1")))
    assert undo.phase == "patch"
    assert undo.url == "http://remote/tmf-api/ResourceActivationAndConfiguration/v4/resource/r-9"
    assert json.loads(undo.body)["administrativeState"] == "locked"
    assert json.loads(undo.body)["operationalState"] == "disable"
    # Asking again records nothing more.
    assert cascade.database.write_sync(lambda c: driver.deactivate(c, "act-1")).state == "pending"
    count = cascade.database.read_sync(lambda c: len(c.execute(select(remote_activation)).all()))
    assert count == 2


def test_a_reconfiguration_patches_the_characteristics_of_a_done_activation(
    cascade: Cascade, driver: HttpDriver
) -> None:
    change = Reconfiguration(
        "so-1/2/modify", "act-1", "service", "rfs-qos", {"downloadSpeed": 1000}
    )
    activated(cascade, driver)
    early = cascade.database.write_sync(lambda c: driver.reconfigure(c, change))
    assert (early.state, early.retriable) == ("failed", False)  # nothing there to change yet
    sent_and_done(cascade)
    assert cascade.database.write_sync(lambda c: driver.reconfigure(c, change)).state == "pending"
    patch = cascade.database.read_sync(lambda c: row(c, "so-1/2/modify"))
    assert (patch.operation, patch.phase, patch.url) == ("modify", "patch", REMOTE)
    body = json.loads(patch.body)
    assert body == {"serviceCharacteristic": [{"name": "downloadSpeed", "value": 1000}]}
