"""The controller skeleton: how COM, SOM and ROM each take one step of an order.

Every step runs in one writer transaction, on the order locked for it:

1. open: an order that has ended is left; one an operator holds or a cancellation has is left
   too (a cancellation is passed the nudge: it may be waiting on this order's children), and
   so is one not yet started whose parent order is held (its release schedules it);
2. an `acknowledged` order is checked as a whole: refused (`rejected`, each reason recorded)
   or deferred to its requested start date, else it goes `inProgress`;
3. orders of layers that wait for people stop at their items' manual steps;
4. the items advance, each once what it relies on has completed (repeatedly, when a completed
   item may release others in the same step);
5. the order's state rolls up from its items; when it changed, the parent is told.

A layer supplies only what is its own: its checks, how a refusal and a failed item are
recorded, how an item advances, and what an item relies on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from cascade.domain.decomposition import Catalog
from cascade.domain.states import (
    ACKNOWLEDGED,
    ASSESSING_CANCELLATION,
    COMPLETED,
    HELD,
    IN_PROGRESS,
    PENDING,
    PENDING_CANCELLATION,
)
from cascade.fulfilment.changes.claims import release_ended
from cascade.fulfilment.layers.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.layers.documents import (
    add_note,
    move,
    parent_named,
    reject,
    settle_order,
)
from cascade.fulfilment.layers.registry import Layer, parent_of
from cascade.fulfilment.layers.reporting import report_up
from cascade.fulfilment.layers.waiting import Waits, defer_start, settle_manual_steps
from cascade.fulfilment.runtime import DONE, StepContext, StepResult
from cascade.repositories import Loaded, Repositories
from cascade.storage import work
from cascade.tmf.declarations import Kind
from cascade.tmf.instants import now_instant

# An operator holds the order: the controller leaves it until it is released.
HELD_BY_OPERATOR = (HELD, PENDING)
# A cancellation has the order: its cancel task's controller drives it now.
CANCELLING = (ASSESSING_CANCELLATION, PENDING_CANCELLATION)


@dataclass
class OrderStep:
    """One step of one order: what it works on, and what it changed or wants."""

    connection: Connection
    loaded: Loaded
    catalog: StoredCatalog
    context: StepContext
    changed: bool = False
    again_at_ms: int | None = field(default=None)

    @property
    def order(self) -> dict[str, Any]:
        return self.loaded.document

    def look_again_at(self, due_ms: int | None) -> None:
        """Ask for another step no later than `due_ms` (None: nothing asked)."""
        if due_ms is not None:
            self.again_at_ms = due_ms if self.again_at_ms is None else min(self.again_at_ms, due_ms)


class OrderController:
    """The skeleton of one layer's order controller (see the module doc)."""

    layer: Layer
    repeats: bool = True  # run over the items again while one of them progressed
    records_start: bool = False  # set the order's `startDate` when it starts

    def __init__(self, repositories: Repositories, catalog_cache: CatalogCache | None) -> None:
        self.repositories = repositories
        self.catalog_cache = catalog_cache
        self.orders = repositories[self.layer.order_kind]
        self.tasks = repositories[self.layer.task_kind]

    @property
    def kind(self) -> Kind:
        return self.layer.order_kind

    def step(self, connection: Connection, entity_id: str, context: StepContext) -> StepResult:
        loaded = self._open(connection, entity_id)
        if loaded is None:
            return DONE
        catalog = StoredCatalog(connection, self.repositories, self.catalog_cache)
        step = OrderStep(connection, loaded, catalog, context)
        if step.order.get("state") == ACKNOWLEDGED:
            stopped = self._start(step)
            if stopped is not None:
                self.orders.save(connection, loaded)
                return stopped
        if self.layer.waits:
            waits = settle_manual_steps(
                step.order, self.items(step.order), catalog, self.layer, self.specification
            )
            if waits is Waits.NOW:
                self.orders.save(connection, loaded)
                return DONE
            step.changed |= waits is Waits.RELEASED
        self._advance_items(step)
        step.changed |= self.after_items(step)
        if settle_order(step.order, self.layer.machine, self.items(step.order)):
            step.changed = True
            release_ended(connection, self.layer, step.order)
            report_up(connection, self.layer, step.order)
        if step.changed:
            self.orders.save(connection, loaded)
        return StepResult(step.again_at_ms)

    def _open(self, connection: Connection, entity_id: str) -> Loaded | None:
        """The order to advance, locked; None when it is gone, ended, held or cancelling."""
        loaded = self.orders.load(connection, entity_id)
        if loaded is None:
            return None
        state = str(loaded.document.get("state"))
        if state in CANCELLING:
            self._nudge_cancellation(connection, entity_id)
        if self.layer.machine.is_terminal(state) or state in (*HELD_BY_OPERATOR, *CANCELLING):
            return None
        if state == ACKNOWLEDGED and self._parent_held(connection, loaded.document):
            return None
        return loaded

    def _parent_held(self, connection: Connection, order: Mapping[str, Any]) -> bool:
        """Whether the order that placed this one (when stored here) is held by an operator."""
        parent_layer = parent_of(self.layer)
        named = None if parent_layer is None else parent_named(order, parent_layer.referred_type)
        if parent_layer is None or named is None:
            return False
        parent = self.repositories[parent_layer.order_kind].peek(connection, named[0])
        return parent is not None and parent.get("state") in HELD_BY_OPERATOR

    def _nudge_cancellation(self, connection: Connection, order_id: str) -> None:
        """Pass a wake-up on to the cancellation that has the order (it may wait on this)."""
        params = [(f"{self.layer.reference}.id", order_id), ("state", IN_PROGRESS)]
        for task in self.tasks.find(connection, params):
            work.schedule(connection, self.layer.task_kind.name, str(task["id"]))

    def _start(self, step: OrderStep) -> StepResult | None:
        """Check an acknowledged order; the result when the step stops here (saved)."""
        order, layer = step.order, self.layer
        problems = self.problems(step)
        if problems:
            reject(order, self.items(order), layer.machine, layer.item_machine)
            self.record_refusal(order, problems)
            report_up(step.connection, layer, order)
            return DONE
        if layer.waits and (start := defer_start(order, step.context.now_ms)) is not None:
            return StepResult(start)  # waiting.py
        move(order, layer.machine, IN_PROGRESS)
        if self.records_start:
            order["startDate"] = now_instant()
        step.changed = True
        return None

    def _advance_items(self, step: OrderStep) -> None:
        items = self.items(step.order)
        by_id = {str(item.get("id")): item for item in items}
        progress = True
        while progress:  # an item may release the items that rely on it, in the same step
            progress = False
            context = self.item_context()
            for item in items:
                progress |= self._advance_item(step, item, by_id, context)
            step.changed |= progress
            if not self.repeats:
                return

    def _advance_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        by_id: Mapping[str, dict[str, Any]],
        context: dict[str, Any],
    ) -> bool:
        state = str(item.get("state"))
        if state in HELD_BY_OPERATOR or self.layer.item_machine.is_terminal(state):
            self.passed_over(item, context)
            return False
        needs = [by_id[i] for i in self.relies_on(step, item, by_id) if i in by_id]
        failed = [need for need in needs if need.get("state") in self.layer.ended_badly]
        if failed:
            reason = f"relies on item {failed[0]['id']}, which ended {failed[0]['state']}"
            return self.fail_item(step.order, item, reason)
        if any(need.get("state") != COMPLETED for need in needs):
            return False
        return self.advance_item(step, item, needs, context)

    def fail_item(self, order: dict[str, Any], item: dict[str, Any], reason: str) -> bool:
        """The item ends `failed`, with the reason recorded on the order."""
        if item.get("state") == ACKNOWLEDGED:
            move(item, self.layer.item_machine, IN_PROGRESS)
        move(item, self.layer.item_machine, "failed")
        self.record_failure(order, item, reason)
        return True

    def items(self, order: Mapping[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = order.get(self.layer.items) or []
        return found

    # --- what a layer supplies --------------------------------------------------------------

    def problems(self, step: OrderStep) -> list[str]:
        """Why an acknowledged order must be refused as a whole (none: it starts)."""
        return []

    def record_refusal(self, order: dict[str, Any], problems: Sequence[str]) -> None:
        for problem in problems:
            add_note(order, problem)

    def record_failure(self, order: dict[str, Any], item: Mapping[str, Any], reason: str) -> None:
        add_note(order, f"item {item.get('id')}: {reason}")

    def specification(self, item: Mapping[str, Any], catalog: Catalog) -> Mapping[str, Any] | None:
        """The catalog specification an item is made from (its manual steps are there)."""
        return None

    def relies_on(
        self, step: OrderStep, item: Mapping[str, Any], by_id: Mapping[str, Any]
    ) -> Sequence[str]:
        """The ids of the items that must complete before this one starts."""
        return ()

    def item_context(self) -> dict[str, Any]:
        """What the items of one pass share (ROM: the values allocated so far)."""
        return {}

    def passed_over(self, item: Mapping[str, Any], context: dict[str, Any]) -> None:
        """An item held or ended is passed over; it may still add to the pass's context."""

    def advance_item(
        self,
        step: OrderStep,
        item: dict[str, Any],
        needs: Sequence[dict[str, Any]],
        context: dict[str, Any],
    ) -> bool:
        """Take the item's next step; True when it changed. `step.look_again_at` asks for a
        step later (an activation that takes time)."""
        raise NotImplementedError

    def after_items(self, step: OrderStep) -> bool:
        """After the items advanced (SOM marks a point of no return); True when changed."""
        return False
