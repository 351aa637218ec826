"""What a `modify` item changed from, kept on the item so that a cancellation can put it back.

The first step that changes something installed (SOM: before the driver is asked to
re-configure an RFS, or before a CFS record is written; COM: before the TMF637 record is
written) copies the attributes the change overwrites, as the records have them, into the
order item's `cascadeBefore` (a Cascade extension attribute: the TMF schemas allow extra
attributes, like the catalog's `cascadeManualSteps`). It is written once: a step run again
finds it and keeps the first copy, which is the configuration from before the order.

`cascadeBefore` is `{"record": {...}, "activation": {...}}`: the inventory record's attributes
(TMF637 or TMF638) and, for an RFS, its TMF640 activation entity's. An attribute the record did
not have is left out, and restoring removes it again. A client's order giving it is refused
(apis/v4/ordering.py): only Cascade writes it. ADR 0032. It is stored but shown to no
client, and kept through a client's PATCH (tmf/kept.py, ADR 0033).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from cascade.domain.changes import KEPT_BEFORE

SERVICE_ATTRIBUTES = ("serviceCharacteristic", "supportingService")
ACTIVATION_ATTRIBUTES = ("serviceCharacteristic",)
PRODUCT_ATTRIBUTES = (
    "productOffering",
    "productSpecification",
    "productCharacteristic",
    "realizingService",
)


def snapshot(document: Mapping[str, Any], attributes: Sequence[str]) -> dict[str, Any]:
    """A copy of the document's `attributes` (those it has)."""
    return {key: copy.deepcopy(document[key]) for key in attributes if key in document}


def remember(
    item: dict[str, Any],
    record: Mapping[str, Any],
    attributes: Sequence[str],
    activation: Mapping[str, Any] | None = None,
) -> bool:
    """Keep what the record (and activation) had on the item, unless kept already; True when
    kept now (the item changed and must be saved)."""
    if KEPT_BEFORE in item:
        return False
    before: dict[str, Any] = {"record": snapshot(record, attributes)}
    if activation is not None:
        before["activation"] = snapshot(activation, ACTIVATION_ATTRIBUTES)
    item[KEPT_BEFORE] = before
    return True


def kept(item: Mapping[str, Any], part: str = "record") -> dict[str, Any] | None:
    """What the item kept of the record (`part`: record, activation), or None."""
    before = item.get(KEPT_BEFORE)
    if not isinstance(before, Mapping) or not isinstance(before.get(part), Mapping):
        return None
    return dict(before[part])


def restore(document: dict[str, Any], before: Mapping[str, Any], attributes: Sequence[str]) -> bool:
    """Put the kept attributes back (removing those the document did not have); True when
    anything changed."""
    changed = False
    for key in attributes:
        if key in before:
            if document.get(key) != before[key]:
                document[key] = copy.deepcopy(before[key])
                changed = True
        elif key in document:
            del document[key]
            changed = True
    return changed
