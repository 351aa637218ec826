"""The catalogs as the decomposition sees them: documents read from the TMF620/633/634 stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.tmf.service import ResourceService


class StoredCatalog:
    """Catalog look-ups on one connection (inside the controller's transaction)."""

    def __init__(self, connection: Connection, services: Mapping[str, ResourceService]) -> None:
        self._connection = connection
        self._services = services

    def _get(self, kind: str, id_: str) -> Mapping[str, Any] | None:
        return self._services[kind].peek(self._connection, id_)

    def product_offering(self, id_: str) -> Mapping[str, Any] | None:
        return self._get("tmf620.productOffering", id_)

    def product_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self._get("tmf620.productSpecification", id_)

    def service_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self._get("tmf633.serviceSpecification", id_)

    def resource_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self._get("tmf634.resourceSpecification", id_)
