"""One cancellation per order: the claim a cancel task takes on its order (storage/claims.py).

The claim's scope is the cancel task kind (`cancelProductOrder`), its subject the order id, its
holder the task id. It is taken in the transaction that inserts the task and never released:

- a client's cancel request takes it or is refused with 409 naming the task that holds it,
  whatever state that task is in (running, `done`, `terminatedWithError`);
- Cascade's own cancel task for a child order (placed by the parent's cancellation) takes it
  when it is free, waits while another request's cancellation runs, and takes it over from
  a request that was refused (the parent's cancellation decided before any point of no return).

Cancel tasks recorded before claims existed hold none: a request also looks for those. A claim
held by a cease (ceasing.py, ADR 0034) is no cancellation: a request is recorded without the
claim and refused in its first step, past the order's point of no return.

The claim goes with its order (`forget`, in the transaction of a client's DELETE of the order):
a request naming an order that does not exist is refused before any claim is read, and an
order is deleted only once it and its parent have ended, so no parent cancels it again.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cascade.domain.states import TERMINATED_WITH_ERROR
from cascade.fulfilment.cancellation.ceasing import is_cease
from cascade.fulfilment.layers.registry import Layer
from cascade.repositories import Repository
from cascade.storage import claims
from cascade.tmf.documents import new_id
from cascade.tmf.errors import TmfError

DUPLICATE = "cancellationAlreadyRequested"  # the TMF Error code of every duplicate's 409


def claim_for_request(
    connection: Connection, layer: Layer, tasks: Repository, order_id: str
) -> str:
    """The id for a client's new cancel task of `order_id`, claimed; 409 when one exists."""
    scope = layer.task_kind.name
    holder = claims.holder_of(connection, scope, order_id) or _unclaimed(
        layer, tasks, connection, order_id
    )
    if holder is None:
        task_id = new_id()
        holder = claims.take(connection, scope, order_id, task_id)
        if holder == task_id:
            return task_id
    if is_cease(holder):
        return new_id()  # recorded, and refused in its first step (ceasing.py)
    raise duplicate(connection, layer, tasks, order_id, holder)


def claim_for_parent(
    connection: Connection, tasks: Repository, order_id: str, task_id: str
) -> bool:
    """Whether the parent's cancel task `task_id` may be placed for the child `order_id` now
    (the claim is its); False while another request's cancellation of the child runs."""
    scope = tasks.kind.name
    holder = claims.take(connection, scope, order_id, task_id)
    if holder == task_id or is_cease(holder):
        return True  # a cease's claim: the task is placed, and refused in its first step
    other = tasks.peek(connection, holder)
    if other is not None and other.get("state") != TERMINATED_WITH_ERROR:
        return False  # it runs (or is done, and the child cancelled): its end wakes the parent
    claims.hand_over(connection, scope, order_id, task_id)
    return True


def duplicate(
    connection: Connection, layer: Layer, tasks: Repository, order_id: str, holder: str
) -> TmfError:
    """The answer to every cancel request of an order that already has one: 409, naming it."""
    task = tasks.peek(connection, holder)
    state = "unknown" if task is None else task.get("state")
    return TmfError(
        409,
        DUPLICATE,
        f"{layer.reference} '{order_id}' already has cancel request '{holder}' ({state});"
        " an order is cancelled at most once, so this request was not recorded",
        reference=tasks.href_of(holder),
    )


def _unclaimed(
    layer: Layer, tasks: Repository, connection: Connection, order_id: str
) -> str | None:
    """A cancel task of the order recorded before claims existed, if any."""
    found = tasks.find(connection, [(f"{layer.reference}.id", order_id)])
    return str(found[0]["id"]) if found else None


def forget(connection: Connection, layer: Layer, order_id: str) -> None:
    """Drop the cancellation claim of a deleted order."""
    claims.forget(connection, layer.task_kind.name, order_id)
