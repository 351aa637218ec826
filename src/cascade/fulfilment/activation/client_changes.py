"""A client's PATCH of a TMF640 service or TMF702 resource, applied to the network.

What makes Cascade usable behind another Cascade's HTTP driver, which deactivates and
re-configures by PATCHing the entities it activated here. In the PATCH's transaction:

- a service set `inactive` or `terminated`, a resource `locked` or `disable`d: the driver
  deactivates the activation (the simulated network forgets it);
- changed characteristics of an entity still in service: the driver is told
  (`entity_changed`); the simulated network holds the new values, the HTTP driver leaves the
  remote end as it is (it is re-configured by orders only).

Such a PATCH of an entity still being activated (`reserved`) is refused (409): the activation
would configure it again afterwards. Only client PATCHes run this (`ClientBehaviour.on_patch`); the
order controllers' own writes do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.characteristics import as_values
from cascade.fulfilment.activation.port import ActivationDriver, Capability, Target
from cascade.tmf.errors import TmfError

# Per target: attribute -> the values that take the entity out of service.
OUT_OF_SERVICE: dict[Target, dict[str, tuple[str, ...]]] = {
    "service": {"state": ("inactive", "terminated")},
    "resource": {"administrativeState": ("locked",), "operationalState": ("disable",)},
}

# The attribute whose `reserved` says the activation is still running (docs/activation.md).
STATUS: dict[Target, str] = {"service": "state", "resource": "resourceStatus"}
IN_PROGRESS = "the activation is still in progress: change it on the network once it has ended"


class ClientChanges:
    """What a client's PATCH of one activation kind does on the network (its `on_patch`)."""

    def __init__(self, target: Target, driver: ActivationDriver) -> None:
        self.target = target
        self.driver = driver
        self._characteristic = f"{target}Characteristic"

    def patched(
        self, connection: Connection, before: Mapping[str, Any], after: Mapping[str, Any]
    ) -> None:
        activation_id = str(after["id"])
        values = self._values(after)
        deactivating = self.out_of_service(after) and not self.out_of_service(before)
        reconfiguring = not self.out_of_service(after) and values != self._values(before)
        if (deactivating or reconfiguring) and before.get(STATUS[self.target]) == "reserved":
            raise TmfError(409, "activationInProgress", IN_PROGRESS)
        if deactivating and Capability.DEACTIVATE in self.driver.capabilities:
            self.driver.deactivate(connection, activation_id)
        elif reconfiguring:
            self.driver.entity_changed(connection, activation_id, values)

    def out_of_service(self, document: Mapping[str, Any]) -> bool:
        return any(
            document.get(attribute) in values
            for attribute, values in OUT_OF_SERVICE[self.target].items()
        )

    def _values(self, document: Mapping[str, Any]) -> dict[str, Any]:
        characteristics = document.get(self._characteristic)
        return as_values(characteristics if isinstance(characteristics, list) else None)
