"""What an order may wait for, read from catalog and order data (pure: no I/O).

- `cascadeManualSteps` on a product (TMF620) or service (TMF633) specification: a Cascade
  extension attribute, `[{"name": "site survey", "kind": "manualStep"}]`, kind `manualStep`
  (the default) or `appointment` (see docs/catalog-guide.md).
- `requestedStartDate` on an order: the time before which it must not start.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STEPS = "cascadeManualSteps"
KINDS = ("manualStep", "appointment")


@dataclass(frozen=True)
class ManualStep:
    name: str
    kind: str = "manualStep"

    def met_by(self, item: Mapping[str, Any]) -> bool:
        """An appointment step is met by an order item that names its appointment."""
        return self.kind == "appointment" and bool(item.get("appointment"))


def steps_of(specification: Mapping[str, Any]) -> list[ManualStep]:
    """The manual steps a specification declares; ValueError when they cannot be read."""
    declared = specification.get(STEPS)
    if declared is None:
        return []
    kind_of = specification.get("@type") or "specification"
    label = f"{kind_of} '{specification.get('id')}': {STEPS}"
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
    """The order's `requestedStartDate` in ms since the epoch; None when it has none."""
    text = order.get("requestedStartDate")
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:  # stored dates are UTC; a naive one means UTC too
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
