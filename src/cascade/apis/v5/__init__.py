"""The TMF Open APIs v5 that Cascade serves: OpenAPI 3 files, each resource a translated view
(`ResourceSpec.view`) of the kinds v4 serves too (docs/versions.md)."""

from cascade.apis.v5.catalogs import TMF620_V5, TMF634_V5
from cascade.apis.v5.inventories import INVENTORIES_V5
from cascade.apis.v5.ordering import TMF622_V5
from cascade.tmf.declarations import ApiSpec

V5_APIS: tuple[ApiSpec, ...] = (TMF622_V5, TMF620_V5, TMF634_V5, *INVENTORIES_V5)

__all__ = ["TMF620_V5", "TMF622_V5", "TMF634_V5", "V5_APIS"]
