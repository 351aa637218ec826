"""The cancel task controllers (TMF622 CancelProductOrder, TMF641 CancelServiceOrder, TMF652
CancelResourceOrder) and the create that refuses a second cancel of the same order (claim.py:
one cancel task per order, ever, held by the database).

One controller per layer, on the cancel task's work item. Every step runs in one writer
transaction and loads the task and then its order for update, so a cancel and the order
controller that would complete the order never both act on the same state:

1. task `acknowledged`/`accepted`: refused (`terminatedWithError`, the reason in a note on the
   order, and in `completionMessage`/`errorMessage` on TMF641) when the order has ended,
   another cancellation has it (a task recorded before claims, or Cascade's own beside a
   client's), or it passed a point of no return; otherwise the order and its running items
   go to `assessingCancellation` (the order controllers leave it from now on) and the task
   to `inProgress`.
2. order `assessingCancellation` -> `pendingCancellation` (items likewise); undo starts.
3. order `pendingCancellation`: undo (compensation.py) until it reports done, then
   items and order `cancelled`, task `done`, and the layer above is woken.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cascade.domain.compensation import refusal
from cascade.domain.states import (
    ASSESSING_CANCELLATION,
    CANCELLED,
    DONE,
    IN_PROGRESS,
    PENDING_CANCELLATION,
    RUNNING,
    TERMINATED_WITH_ERROR,
)
from cascade.fulfilment.cancellation import ceasing
from cascade.fulfilment.cancellation.claim import claim_for_request
from cascade.fulfilment.cancellation.compensation import Compensation
from cascade.fulfilment.cancellation.no_return import PointOfNoReturn
from cascade.fulfilment.changes.claims import release_ended
from cascade.fulfilment.layers.documents import add_note, move
from cascade.fulfilment.layers.registry import PRODUCT, SERVICE, Layer, internal_task_id
from cascade.fulfilment.layers.reporting import report_up
from cascade.fulfilment.runtime import StepContext, StepResult
from cascade.repositories import Created, Loaded, Repositories
from cascade.tmf.errors import unknown_reference
from cascade.tmf.instants import now_instant

WAIT_MS = 250  # how often a cancellation waiting on a child looks again (children also wake it)
REQUESTED = "cancelled by request "  # how a cancellation's why begins (see _why)
FINISHED = StepResult()


class CancelController:
    """The cancel tasks of one layer: their create (duplicates refused) and their steps."""

    def __init__(
        self,
        layer: Layer,
        repositories: Repositories,
        compensation: Compensation,
        no_return: PointOfNoReturn,
    ) -> None:
        self.layer = layer
        self.kind = layer.task_kind
        self.repositories = repositories
        self.tasks = repositories[layer.task_kind]
        self.orders = repositories[layer.order_kind]
        self.compensation = compensation
        self.no_return = no_return

    # --- create (what a client's POST of a cancel task does) ------------------------------

    def create(self, connection: Connection, body: dict[str, Any]) -> Created:
        """Record a client's cancel request, unless it names no order or the order already
        has one (409 naming it, whatever its state: claim.py)."""
        order_id = self.layer.order_id(body)
        # Locking the order queues concurrent requests for it here; the claim decides.
        if self.orders.load(connection, order_id) is None:
            raise unknown_reference(f"{self.layer.referred_type} '{order_id}'")
        task_id = claim_for_request(connection, self.layer, self.tasks, order_id)
        return Created(self.tasks.insert(connection, body, id_=task_id))

    # --- the controller ---------------------------------------------------------------------

    def step(self, connection: Connection, task_id: str, context: StepContext) -> StepResult:
        task = self.tasks.load(connection, task_id)
        if task is None or self.layer.task_machine.is_terminal(str(task.document.get("state"))):
            return FINISHED
        order = self.orders.load(connection, self.layer.order_id(task.document))
        if order is None:
            reason = f"{self.layer.reference} '{self.layer.order_id(task.document)}' is gone"
            self._refuse(connection, task, None, reason)
            return FINISHED
        if task.document.get("state") == self.layer.task_machine.initial:
            return self._assess(connection, task, order, context)
        return self._carry_out(connection, task, order, context)

    def _assess(
        self, connection: Connection, task: Loaded, order: Loaded, context: StepContext
    ) -> StepResult:
        reason = refusal(str(order.document.get("state")))
        if reason is None:
            reason = ceasing.refusal(connection, self.layer, order.stored.id)
        if reason is None and task.stored.id != internal_task_id(order.stored.id):
            reason = self.no_return.passed(self.layer, connection, order.document)
        if reason is not None:
            self._refuse(connection, task, order, reason)
            return FINISHED
        self._set_states(order.document, ASSESSING_CANCELLATION, RUNNING)
        add_note(order.document, f"cancellation requested ({task.stored.id}): {_why(task)}")
        move(task.document, self.layer.task_machine, IN_PROGRESS)
        self.orders.save(connection, order)
        self.tasks.save(connection, task)
        return StepResult(context.now_ms)

    def _carry_out(
        self, connection: Connection, task: Loaded, order: Loaded, context: StepContext
    ) -> StepResult:
        document = order.document
        if document.get("state") not in (ASSESSING_CANCELLATION, PENDING_CANCELLATION, CANCELLED):
            reason = f"the order left cancellation: it is {document.get('state')}"
            self._refuse(connection, task, order, reason)  # cannot happen: the order is locked
            return FINISHED
        if document.get("state") == ASSESSING_CANCELLATION:
            self._set_states(document, PENDING_CANCELLATION, (ASSESSING_CANCELLATION,))
            self.orders.save(connection, order)
            return StepResult(context.now_ms)
        if document.get("state") == PENDING_CANCELLATION:
            if not self.compensation.undo(self.layer, connection, document, _why(task)):
                return StepResult(context.now_ms + WAIT_MS)
            self._set_states(document, CANCELLED, (PENDING_CANCELLATION,))
            _cancelled(self.layer, document, task)
            release_ended(connection, self.layer, document)
            self.orders.save(connection, order)
            report_up(connection, self.layer, document)
        # The order is cancelled (now or by an earlier run of this step): the task is done.
        move(task.document, self.layer.task_machine, DONE)
        task.document["effectiveCancellationDate"] = now_instant()
        if self.layer is SERVICE:
            task.document["completionMessage"] = "the service order is cancelled"
        self.tasks.save(connection, task)
        return FINISHED

    def _set_states(self, document: dict[str, Any], target: str, sources: tuple[str, ...]) -> None:
        """The order, and each of its items in one of `sources`, to `target`."""
        for item in document.get(self.layer.items) or ():
            if item.get("state") in sources:
                move(item, self.layer.item_machine, target)
        move(document, self.layer.machine, target)

    def _refuse(
        self, connection: Connection, task: Loaded, order: Loaded | None, reason: str
    ) -> None:
        move(task.document, self.layer.task_machine, TERMINATED_WITH_ERROR)
        if self.layer is SERVICE:
            task.document["completionMessage"] = reason
            task.document["errorMessage"] = {
                "code": "cancellationRefused",
                "reason": reason,
                "message": f"the service order was not cancelled: {reason}",
                "status": TERMINATED_WITH_ERROR,
            }
        self.tasks.save(connection, task)
        if order is not None:
            add_note(order.document, f"cancel request {task.stored.id} refused: {reason}")
            self.orders.save(connection, order)


def _why(task: Loaded) -> str:
    """Why the order is cancelled: the request that asked, named once. A child's cancel task,
    asked by its parent's cancellation (here or in another component), carries the parent's
    why as its reason: that says it all, and wrapping it again would nest one request more
    per layer ("cancelled by request X (cancelled by request Y (...))")."""
    reason = task.document.get("cancellationReason")
    if isinstance(reason, str) and reason.startswith(REQUESTED):
        return reason
    return f"{REQUESTED}{task.stored.id}" + (f" ({reason})" if reason else "")


def _cancelled(layer: Layer, order: dict[str, Any], task: Loaded) -> None:
    """What a cancelled order records: when (TMF622 cancellationDate) and why."""
    now = now_instant()
    if layer is PRODUCT:
        order["cancellationDate"] = now
        if task.document.get("cancellationReason"):
            order["cancellationReason"] = task.document["cancellationReason"]
    else:
        order["completionDate"] = now
    add_note(order, f"cancelled: {_why(task)}")
