"""Orders that wait for something outside Cascade, and carry on by themselves after.

For product orders (COM) and service orders (SOM) alike (see docs/fulfilment.md):

- **A requested start date to come.** The order is checked at once (a bad order is rejected
  now, not on the day) but stays `acknowledged`, with a note, and its work item falls due at
  `requestedStartDate`: the controller starts it then, after a restart too.
- **A manual step the catalog declares** (`cascadeManualSteps`, domain/waits.py). An item of
  that specification goes `pending` before anything is made for it, and so does the order,
  with a note per item naming the steps (a TMF641 order also gets a `jeopardyAlert`, a product
  order a `productOrderJeopardyAlert`). A client releases the order (PATCH `state` to
  `inProgress`, or `cascade order release ID`); the items carry on, and a note (and a
  milestone) records the release.
- **A declaration that cannot be read** puts the order `held` with a note saying what is
  wrong (a failed check); once the catalog is fixed, a release carries on.

The notes carry ids (`cascade-wait-<item>`, `cascade-released-<item>`), so a step that runs
again finds them instead of adding them twice, and a release is told apart from an order that
never waited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any

from cascade.domain.decomposition import Catalog
from cascade.domain.states import ACKNOWLEDGED, HELD, IN_PROGRESS, PENDING
from cascade.domain.waits import ManualStep, start_at_ms, steps_of
from cascade.fulfilment.layers.documents import AUTHOR, move
from cascade.fulfilment.layers.registry import Layer
from cascade.tmf.instants import now_instant

# The catalog specification an order item is made from (its manual steps are declared there).
Specification = Callable[[Mapping[str, Any], Catalog], Mapping[str, Any] | None]


class Waits(Enum):
    """What `settle_manual_steps` found."""

    NOW = "now"  # the order was put pending or held: save it and stop
    RELEASED = "released"  # a client released it and the notes changed: save, carry on
    NOTHING = "nothing"  # nothing to wait for


def defer_start(order: dict[str, Any], now_ms: int) -> int | None:
    """When the order must not start yet: its start time (after noting it), else None."""
    start = start_at_ms(order)
    if start is None or start <= now_ms:
        return None
    text = f"waits for its requestedStartDate {order['requestedStartDate']}"
    order["note"] = [n for n in order.get("note") or () if n.get("id") != "cascade-start"]
    _note(order, "cascade-start", text)  # a client may have moved the date: say the new one
    return start


def settle_manual_steps(
    order: dict[str, Any],
    items: Sequence[dict[str, Any]],
    catalog: Catalog,
    layer: Layer,
    specification: Specification,
) -> Waits:
    """Put a running order pending (or held) for its items' manual steps, or note a release."""
    outcome = Waits.NOTHING
    waits: list[tuple[dict[str, Any], list[ManualStep]]] = []
    problems: list[str] = []
    for item in items:
        if _released_now(order, item, layer):
            outcome = Waits.RELEASED
        elif _unstarted(order, item):
            try:
                spec = specification(item, catalog)
                steps = [s for s in steps_of(spec or {}) if not s.met_by(item)]
            except ValueError as exc:
                problems.append(f"item {item.get('id')}: {exc}")
                continue
            if steps:
                waits.append((item, steps))
    if problems:
        return _hold(order, problems, layer)
    for item, steps in waits:
        _pend(order, item, steps, layer)
    if waits:
        move(order, layer.machine, PENDING)
        return Waits.NOW
    return outcome


def _released_now(order: dict[str, Any], item: dict[str, Any], layer: Layer) -> bool:
    """True when Cascade put `item` pending and the order runs again: a client released it."""
    item_id = str(item.get("id"))
    waited = _noted(order, f"cascade-wait-{item_id}")
    if not waited or _noted(order, f"cascade-released-{item_id}"):
        return False
    if item.get("state") not in (PENDING, IN_PROGRESS):
        return False
    move(item, layer.item_machine, IN_PROGRESS)
    _note(order, f"cascade-released-{item_id}", f"item {item_id}: released")
    if layer.alerts:
        milestone = {"id": f"cascade-released-{item_id}", "name": "manualStepDone"}
        milestone |= {"status": layer.alerts.reached, "milestoneDate": now_instant()}
        order.setdefault(layer.alerts.milestones, []).append(milestone)
    return True


def _unstarted(order: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """An item nothing was done for yet, and that never waited: the time to wait, if ever."""
    return item.get("state") == ACKNOWLEDGED and not _noted(order, f"cascade-wait-{item.get('id')}")


def _pend(
    order: dict[str, Any], item: dict[str, Any], steps: list[ManualStep], layer: Layer
) -> None:
    item_id = str(item.get("id"))
    move(item, layer.item_machine, IN_PROGRESS)
    move(item, layer.item_machine, PENDING)
    named = ", ".join(f"{step.name} ({step.kind})" for step in steps)
    text = (
        f"item {item_id} waits for {named}: once done, release the order "
        f"(PATCH state inProgress, or {layer.release_command} {order.get('id')})"
    )
    _note(order, f"cascade-wait-{item_id}", text)
    if layer.alerts:
        alert = {"id": f"cascade-wait-{item_id}", "name": named, "jeopardyType": steps[0].kind}
        alert |= {"message": text, "alertDate": now_instant()}
        order.setdefault(layer.alerts.jeopardy_alerts, []).append(alert)


def _hold(order: dict[str, Any], problems: list[str], layer: Layer) -> Waits:
    move(order, layer.machine, HELD)
    text = "held: " + "; ".join(problems) + " (fix the catalog, then release the order)"
    _note(order, f"cascade-held-{len(order.get('note') or ())}", text)
    return Waits.NOW


def _noted(order: Mapping[str, Any], note_id: str) -> bool:
    return any(note.get("id") == note_id for note in order.get("note") or ())


def _note(order: dict[str, Any], note_id: str, text: str) -> None:
    if not _noted(order, note_id):
        note = {"id": note_id, "author": AUTHOR, "date": now_instant(), "text": text}
        order.setdefault("note", []).append(note)
