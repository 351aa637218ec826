"""The HTTP driver's revert of a re-configuration (a cancelled modify, ADR 0032): nothing to
do for a modify never recorded; one not settled yet is waited for (sent after the revert, it
would win); then the old values are PATCHed at the entity, once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from cascade.bootstrap import Cascade
from cascade.fulfilment.activation.http.driver import Endpoints, HttpDriver
from cascade.fulfilment.activation.port import DriverStatus, Reconfiguration
from cascade.storage.tables import remote_activation
from tests.integration.test_http_undo_intents import BASE, REMOTE, activated, row, sent_and_done


@pytest.fixture
def driver() -> HttpDriver:
    return HttpDriver(Endpoints(BASE, BASE.replace("Service", "Resource")))


MODIFY = Reconfiguration("m1", "act-1", "service", "rfs-qos", {"downloadSpeed": 1000})
REVERT = Reconfiguration("r1", "act-1", "service", "rfs-qos", {"downloadSpeed": 500}, "m1")


def asked(cascade: Cascade, driver: HttpDriver, change: Reconfiguration) -> DriverStatus:
    status: DriverStatus = cascade.database.write_sync(lambda c: driver.reconfigure(c, change))
    return status


def settle(cascade: Cascade, row_id: str) -> None:
    cascade.database.write_sync(
        lambda c: c.execute(
            update(remote_activation)
            .where(remote_activation.c.activation == row_id)
            .values(phase="done")
        )
    )


def test_a_revert_waits_for_the_modify_then_patches_the_old_values(
    cascade: Cascade, driver: HttpDriver
) -> None:
    activated(cascade, driver)
    sent_and_done(cascade)
    assert asked(cascade, driver, REVERT).state == "done"  # no modify recorded: nothing sent
    assert cascade.database.read_sync(lambda c: row(c, "r1")) is None

    assert asked(cascade, driver, MODIFY).state == "pending"
    assert asked(cascade, driver, REVERT).state == "pending"  # the modify is not sent yet
    assert cascade.database.read_sync(lambda c: row(c, "r1")) is None

    settle(cascade, "m1")
    for _ in range(2):  # asked again: the same PATCH, recorded once
        assert asked(cascade, driver, REVERT).state == "pending"
    revert: Any = cascade.database.read_sync(lambda c: row(c, "r1"))
    assert (revert.operation, revert.parent, revert.phase, revert.url) == (
        "modify",
        "act-1",
        "patch",
        REMOTE,
    )
    assert json.loads(revert.body) == {
        "serviceCharacteristic": [{"name": "downloadSpeed", "value": 500}]
    }
    settle(cascade, "r1")
    assert asked(cascade, driver, REVERT).state == "done"
