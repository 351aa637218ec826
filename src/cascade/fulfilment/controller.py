"""What the three order controllers share: their repositories, the catalog, opening an order."""

from __future__ import annotations

from sqlalchemy import Connection

from cascade.domain.states import StateMachine
from cascade.fulfilment.catalog import CatalogCache, StoredCatalog
from cascade.fulfilment.orders import open_order
from cascade.repositories import Loaded, Repositories
from cascade.tmf.declarations import Kind


class OrderController:
    """Base of COM, SOM and ROM: `kind` names the orders, `machine` their state machine."""

    kind: Kind
    machine: StateMachine

    def __init__(
        self, repositories: Repositories, catalog_cache: CatalogCache | None = None
    ) -> None:
        self.repositories = repositories
        self.catalog_cache = catalog_cache
        self.orders = repositories[self.kind]

    def open(self, connection: Connection, entity_id: str) -> tuple[Loaded, StoredCatalog] | None:
        """The order to advance (locked) and the catalog; None when there is nothing to do."""
        loaded = open_order(self.orders, connection, entity_id, self.machine)
        if loaded is None:
            return None
        return loaded, StoredCatalog(connection, self.repositories, self.catalog_cache)
