"""What is live: the states in which an inventory record or an activation still stands for
something on the network (TMF637 ProductStatusType, TMF638 ServiceStateType, TMF639
ResourceStatusType and ResourceUsageStateType)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.apis import kinds
from cascade.tmf.declarations import Kind

# TMF637: created, pendingActive, active, pendingTerminate and suspended stand for a product
# a customer has; cancelled, terminated and aborted (the spec's enum spells it "aborted ")
# for one that has ended.
PRODUCT_ENDED = frozenset({"cancelled", "terminated", "aborted", "aborted "})
# TMF638: a service is on the network once `reserved` (being activated) or `active`.
# `inactive` is what a failed activation and a retired one leave (nothing configured),
# `feasibilityChecked` and `designed` come before anything is configured.
SERVICE_LIVE = frozenset({"reserved", "active"})
# TMF639: a resource stands for something held while `available`, `reserved` or `suspended`,
# or while in use, unless taken out of service (locked, disabled: what a TMF702 client's
# deactivation sets); a cease leaves it `standby`, locked and idle, a failed activation `alarm`.
RESOURCE_LIVE = frozenset({"available", "reserved", "suspended"})
RESOURCE_IN_USE = frozenset({"active", "busy"})


def is_live(kind: Kind, document: Mapping[str, Any]) -> bool:
    """Whether the record or activation still stands for something on the network."""
    if kind == kinds.PRODUCT:
        return str(document.get("status")) not in PRODUCT_ENDED
    if kind in (kinds.SERVICE, kinds.SERVICE_ACTIVATION):
        return document.get("state") in SERVICE_LIVE
    if kind in (kinds.RESOURCE, kinds.RESOURCE_ACTIVATION):
        return _resource_live(document)
    return False


def _resource_live(document: Mapping[str, Any]) -> bool:
    """Being activated (`reserved`), or held or in use and not taken out of service."""
    status = document.get("resourceStatus")
    if status == "reserved":
        return True
    taken_out = (
        document.get("administrativeState") == "locked"
        or document.get("operationalState") == "disable"
    )
    held = status in RESOURCE_LIVE or document.get("usageState") in RESOURCE_IN_USE
    return held and not taken_out


def state_of(kind: Kind, document: Mapping[str, Any]) -> str:
    """The attribute that says how the record stands, and its value, for messages."""
    attribute = {kinds.PRODUCT: "status", kinds.SERVICE: "state", kinds.SERVICE_ACTIVATION: "state"}
    name = attribute.get(kind, "resourceStatus")
    return f"{name} {document.get(name)}"
