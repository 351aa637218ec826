"""A client's DELETE of a TMF640 service or TMF702 resource activation.

An activation being carried out (`reserved`) is followed by its monitor, and one in service
is configuration on the network: deleting either would leave that configuration with no
entity to deactivate it by. Both are refused (409); a client deactivates first (PATCH
`state` `inactive`/`terminated`, or `administrativeState` `locked`), which the driver carries
out (client_changes.py), and may then delete. Its monitors have no DELETE in the specs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.integrity.live import is_live, state_of
from cascade.tmf.declarations import Kind
from cascade.tmf.errors import TmfError

_HOW = {
    kinds.SERVICE_ACTIVATION: "PATCH its state to inactive or terminated",
    kinds.RESOURCE_ACTIVATION: "PATCH its administrativeState to locked",
}


class ActivationDeletes:
    """The DELETE check of one activation kind."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def check(self, connection: Connection, activation: dict[str, Any]) -> None:
        if is_live(self.kind, activation):
            raise TmfError(
                409,
                "activationLive",
                f"{self.kind.name} {activation.get('id')} is on the network "
                f"({state_of(self.kind, activation)}): deactivate it first "
                f"({_HOW.get(self.kind, 'take it out of service')}), then delete it",
            )
