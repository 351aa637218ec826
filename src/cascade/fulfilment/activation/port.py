"""The activation driver port: how a service or resource is configured on the network.

Every driver implements the whole port and declares what it can do (`capabilities`); what a
driver cannot do is refused up front with a reason (`cannot`), never found out half-way.
A driver is called inside the controller's transaction with the activation id as the
idempotency key: calling it again for the same activation never configures twice; it reports
the activation's status (done, pending until a time, failed). Drivers that talk to something
outside the database record their intent here and do the remote work elsewhere (the HTTP
driver's sender); the simulated network does all of it in the database.

Drivers are chosen by the `activation_driver` setting from the registry in
cascade/bootstrap/drivers.py: a driver for a real network system is one module and one entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol

from sqlalchemy import Connection

Target = Literal["service", "resource"]


class Capability(StrEnum):
    """What a driver can do besides activating."""

    DEACTIVATE = "deactivate"  # take an activation off the network (cease, cancel)
    RECONFIGURE = "reconfigure"  # change an activation's characteristics (modify)


@dataclass(frozen=True)
class ActivationRequest:
    activation_id: str
    target: Target
    specification_id: str | None
    characteristics: Mapping[str, Any]
    document: Mapping[str, Any] | None = None  # the activation entity (what remote drivers send)


@dataclass(frozen=True)
class Reconfiguration:
    """A change of the characteristics of an activation that is done (`activation_id`),
    identified by its own `key`: a step run again finds the change it asked for.

    A change that `reverts` another one (its key) puts back the configuration from before
    that one (`characteristics`): a cancelled modify's undo (ADR 0032). Each driver does it its
    way: the simulated network takes the change back, the HTTP driver PATCHes the old values
    once the change it reverts has settled.
    """

    key: str
    activation_id: str
    target: Target
    specification_id: str | None
    characteristics: Mapping[str, Any]
    reverts: str | None = None


@dataclass(frozen=True)
class DriverStatus:
    state: Literal["done", "pending", "failed"]
    reason: str | None = None
    ready_ms: int | None = None
    retriable: bool = True


class ActivationDriver(Protocol):
    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def activate(self, connection: Connection, request: ActivationRequest) -> DriverStatus:
        """Start or follow the activation (idempotent per `request.activation_id`)."""
        ...

    def deactivate(self, connection: Connection, activation_id: str) -> DriverStatus:
        """Undo the activation on the network (idempotent per activation id)."""
        ...

    def reconfigure(self, connection: Connection, change: Reconfiguration) -> DriverStatus:
        """Start or follow a re-configuration (idempotent per `change.key`)."""
        ...

    def entity_changed(
        self, connection: Connection, activation_id: str, characteristics: Mapping[str, Any]
    ) -> None:
        """A client changed the characteristics of the activation's entity (its PATCH):
        drivers that keep the configuration here follow it; others leave the network as it
        is (only orders change it)."""
        ...


def cannot(driver: ActivationDriver, *needed: Capability) -> str | None:
    """Why the driver cannot do what `needed` names, or None when it can."""
    missing = [capability for capability in needed if capability not in driver.capabilities]
    if not missing:
        return None
    what = " or ".join(str(capability) for capability in missing)
    return f"the {type(driver).__name__} activation driver cannot {what}"


def unsupported(driver: ActivationDriver, capability: Capability) -> DriverStatus:
    """The status of a request a driver without the capability was asked for anyway."""
    return DriverStatus("failed", reason=cannot(driver, capability), retriable=False)
