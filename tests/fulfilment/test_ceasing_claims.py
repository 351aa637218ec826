"""The claims a cease takes before it changes anything (cancellation/ceasing.py, ADR 0034):
a cancellation of its tree that runs makes it wait and keeps every claim it had; a refused
one is taken over; once the claims are the cease's, a cancel request is recorded and refused
(no 409). Each case on SQLite and PostgreSQL, through the stored rows only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.cancellation import ceasing
from cascade.fulfilment.cancellation.ceasing import Ceasing
from cascade.fulfilment.cancellation.claim import claim_for_request
from cascade.fulfilment.layers.registry import PRODUCT, SERVICE
from cascade.storage import claims

PO_ID, SO_ID = "po-ceasing", "so-ceasing"
SERVICE_ORDER: dict[str, Any] = {
    "id": SO_ID,
    "externalReference": [
        {"id": PO_ID, "externalReferenceType": "ProductOrder"},
        {"id": "1", "externalReferenceType": "ProductOrderItem"},
    ],
}


def stored_tree(cascade: Cascade, po_task_state: str | None) -> None:
    """A product order, its service order, and (if a state is given) a client's cancel
    request of the product order holding its claim, in that state."""

    def write(connection: Connection) -> None:
        orders = cascade.repositories[kinds.PRODUCT_ORDER]
        orders.insert(connection, {"productOrderItem": []}, id_=PO_ID)
        if po_task_state is not None:
            tasks = cascade.repositories[kinds.CANCEL_PRODUCT_ORDER]
            tasks.insert(connection, {"productOrder": {"id": PO_ID}}, id_="task-1")
            loaded = tasks.load(connection, "task-1")
            assert loaded is not None
            loaded.document["state"] = po_task_state
            tasks.save(connection, loaded)
            assert claims.take(connection, PRODUCT.task_kind.name, PO_ID, "task-1") == "task-1"

    cascade.database.write_sync(write)


def holders(cascade: Cascade) -> tuple[str | None, str | None]:
    def read(connection: Connection) -> tuple[str | None, str | None]:
        return (
            claims.holder_of(connection, PRODUCT.task_kind.name, PO_ID),
            claims.holder_of(connection, SERVICE.task_kind.name, SO_ID),
        )

    return cascade.database.write_sync(read)


def start(cascade: Cascade) -> str | None:
    steps = Ceasing(cascade.repositories)
    return cascade.database.write_sync(lambda c: steps.start(c, SERVICE, SERVICE_ORDER))


def test_a_cease_with_no_cancellation_takes_the_whole_tree(cascade: Cascade) -> None:
    stored_tree(cascade, None)
    assert start(cascade) is None
    assert holders(cascade) == (f"cease:{SO_ID}", f"cease:{SO_ID}")
    assert start(cascade) is None  # a step run again: nothing changes
    assert holders(cascade) == (f"cease:{SO_ID}", f"cease:{SO_ID}")

    # A cancel request from now on is recorded (a fresh task id, no 409) and refused.
    def request(connection: Connection) -> tuple[str, str | None]:
        tasks = cascade.repositories[kinds.CANCEL_PRODUCT_ORDER]
        task_id = claim_for_request(connection, PRODUCT, tasks, PO_ID)
        return task_id, ceasing.refusal(connection, PRODUCT, PO_ID)

    task_id, why = cascade.database.write_sync(request)
    assert task_id and not task_id.startswith("cease:")
    assert why is not None and "point of no return" in why and SO_ID in why
    assert holders(cascade)[0] == f"cease:{SO_ID}"


def test_a_cease_waits_while_a_cancellation_of_its_tree_runs(cascade: Cascade) -> None:
    stored_tree(cascade, "inProgress")
    waiting = start(cascade)
    assert waiting is not None and "task-1" in waiting
    # The cancellation keeps its claim, and the cease took none below it.
    assert holders(cascade) == ("task-1", None)


def test_a_cease_takes_over_from_a_refused_cancellation(cascade: Cascade) -> None:
    stored_tree(cascade, "terminatedWithError")
    assert start(cascade) is None
    assert holders(cascade) == (f"cease:{SO_ID}", f"cease:{SO_ID}")


def test_a_cease_gives_back_what_it_took_when_a_lower_cancellation_runs(
    cascade: Cascade,
) -> None:
    stored_tree(cascade, None)

    def cancel_service_order(connection: Connection) -> None:
        tasks = cascade.repositories[kinds.CANCEL_SERVICE_ORDER]
        tasks.insert(connection, {"serviceOrder": {"id": SO_ID}}, id_="task-2")
        assert claims.take(connection, SERVICE.task_kind.name, SO_ID, "task-2") == "task-2"

    cascade.database.write_sync(cancel_service_order)
    waiting = start(cascade)
    assert waiting is not None and "task-2" in waiting
    # The product order's claim it took first is given back: a cancel of it is still free.
    assert holders(cascade) == (None, "task-2")
