"""What the three order controllers share: their services, the catalog, opening an order."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection

from cascade.domain.states import StateMachine
from cascade.fulfilment.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.orders import open_order
from cascade.tmf.service import Loaded, ResourceService


class OrderController:
    """Base of COM, SOM and ROM: `kind` names the orders, `machine` their state machine."""

    kind: str
    machine: StateMachine

    def __init__(
        self, services: Mapping[str, ResourceService], catalog_cache: CatalogCache | None = None
    ) -> None:
        self.services = services
        self.catalog_cache = catalog_cache
        self.orders = services[self.kind]

    def open(self, connection: Connection, entity_id: str) -> tuple[Loaded, StoredCatalog] | None:
        """The order to advance (locked) and the catalog; None when there is nothing to do."""
        loaded = open_order(self.orders, connection, entity_id, self.machine)
        if loaded is None:
            return None
        return loaded, StoredCatalog(connection, self.services, self.catalog_cache)
