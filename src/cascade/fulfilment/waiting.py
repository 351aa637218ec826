"""Product orders that wait for something outside Cascade, and carry on by themselves after.

- **A requested start date to come.** The order is checked at once (a bad order is rejected
  now, not on the day) but stays `acknowledged`, with a note, and its work item falls due at
  `requestedStartDate`: the controller starts it then, after a restart too.
- **A manual step the catalog declares.** A product specification lists `cascadeManualSteps`
  (a Cascade extension attribute: `[{"name": "site survey", "kind": "manualStep"}]`, kind
  `manualStep` or `appointment`; see docs/catalog-guide.md). An item of that specification
  goes `pending` before anything is made for it, and so does the order, with a note per item
  naming the steps. A client releases the order (PATCH `state` to `inProgress`, or
  `cascade order release ID`); the items carry on, and a note records the release. An
  `appointment` step is already met when the order item names its `appointment`.
- **A declaration that cannot be read** puts the order `held` with a note saying what is
  wrong (a failed check); once the catalog is fixed, a release carries on.

Notes Cascade writes here carry ids (`cascade-wait-<item>`, `cascade-released-<item>`), so a
step that runs again finds them instead of adding them twice, and a release is told apart from
an order that never waited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from cascade.domain.decomposition import Catalog
from cascade.domain.states import (
    ACKNOWLEDGED,
    HELD,
    IN_PROGRESS,
    PENDING,
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
)
from cascade.fulfilment.orders import AUTHOR, move
from cascade.tmf.instants import now_instant

STEPS = "cascadeManualSteps"
KINDS = ("manualStep", "appointment")
Outcome = Literal["waiting", "released", "unchanged"]
WAITING: Outcome = "waiting"
RELEASED: Outcome = "released"
UNCHANGED: Outcome = "unchanged"


@dataclass(frozen=True)
class ManualStep:
    name: str
    kind: str = "manualStep"

    def met_by(self, item: Mapping[str, Any]) -> bool:
        return self.kind == "appointment" and bool(item.get("appointment"))


def steps_of(specification: Mapping[str, Any]) -> list[ManualStep]:
    """The manual steps a specification declares; ValueError when they cannot be read."""
    declared = specification.get(STEPS)
    if declared is None:
        return []
    label = f"productSpecification '{specification.get('id')}': {STEPS}"
    if not isinstance(declared, list):
        raise ValueError(f"{label} must be a list")
    steps = []
    for entry in declared:
        name = entry.get("name") if isinstance(entry, Mapping) else None
        kind = entry.get("kind", "manualStep") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name.strip() or kind not in KINDS:
            raise ValueError(f"{label}: each entry needs a name and a kind in {', '.join(KINDS)}")
        steps.append(ManualStep(name.strip(), str(kind)))
    return steps


def start_at_ms(order: Mapping[str, Any]) -> int | None:
    """The order's `requestedStartDate` in ms since the epoch (stored normalised, UTC)."""
    text = order.get("requestedStartDate")
    if not isinstance(text, str):
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        return None


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
    order: dict[str, Any], items: Sequence[dict[str, Any]], catalog: Catalog
) -> Outcome:
    """Put a running order pending (or held) for its items' manual steps, or note a release.

    WAITING: the order was put pending or held (save it and stop); RELEASED: a client released
    it and the notes changed (save, carry on); UNCHANGED: nothing to wait for.
    """
    outcome = UNCHANGED
    waits: list[tuple[dict[str, Any], list[ManualStep]]] = []
    problems: list[str] = []
    for item in items:
        if _released_now(order, item):
            outcome = RELEASED
        elif _unstarted(order, item):
            try:
                steps = [step for step in _steps(item, catalog) if not step.met_by(item)]
            except ValueError as exc:
                problems.append(f"item {item.get('id')}: {exc}")
                continue
            if steps:
                waits.append((item, steps))
    if problems:
        return _hold(order, problems)
    for item, steps in waits:
        _pend(order, item, steps)
    if waits:
        move(order, PRODUCT_ORDER, PENDING)
        return WAITING
    return outcome


def _released_now(order: dict[str, Any], item: dict[str, Any]) -> bool:
    """True when Cascade put `item` pending and the order runs again: a client released it."""
    item_id = str(item.get("id"))
    waited = _noted(order, f"cascade-wait-{item_id}")
    if not waited or _noted(order, f"cascade-released-{item_id}"):
        return False
    if item.get("state") not in (PENDING, IN_PROGRESS):
        return False
    move(item, PRODUCT_ORDER_ITEM, IN_PROGRESS)
    _note(order, f"cascade-released-{item_id}", f"item {item_id}: released")
    return True


def _unstarted(order: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """An item nothing was done for yet, and that never waited: the time to wait, if ever."""
    return item.get("state") == ACKNOWLEDGED and not _noted(order, f"cascade-wait-{item.get('id')}")


def _steps(item: Mapping[str, Any], catalog: Catalog) -> list[ManualStep]:
    offering = catalog.product_offering(str((item.get("productOffering") or {}).get("id")))
    spec_id = ((offering or {}).get("productSpecification") or {}).get("id")
    specification = catalog.product_specification(str(spec_id)) if spec_id else None
    return steps_of(specification) if specification is not None else []


def _pend(order: dict[str, Any], item: dict[str, Any], steps: list[ManualStep]) -> None:
    item_id = str(item.get("id"))
    move(item, PRODUCT_ORDER_ITEM, IN_PROGRESS)
    move(item, PRODUCT_ORDER_ITEM, PENDING)
    named = ", ".join(f"{step.name} ({step.kind})" for step in steps)
    text = (
        f"item {item_id} waits for {named}: once done, release the order "
        f"(PATCH state inProgress, or cascade order release {order.get('id')})"
    )
    _note(order, f"cascade-wait-{item_id}", text)


def _hold(order: dict[str, Any], problems: list[str]) -> Outcome:
    move(order, PRODUCT_ORDER, HELD)
    text = "held: " + "; ".join(problems) + " (fix the catalog, then release the order)"
    _note(order, f"cascade-held-{len(order.get('note') or ())}", text)
    return WAITING


def _noted(order: Mapping[str, Any], note_id: str) -> bool:
    return any(note.get("id") == note_id for note in order.get("note") or ())


def _note(order: dict[str, Any], note_id: str, text: str) -> None:
    if not _noted(order, note_id):
        note = {"id": note_id, "author": AUTHOR, "date": now_instant(), "text": text}
        order.setdefault("note", []).append(note)
