"""The TMF APIs Cascade serves, each a declaration over the generic layer."""

from cascade.apis.activation import TMF640, TMF702
from cascade.apis.catalogs import TMF620, TMF633, TMF634
from cascade.apis.inventories import TMF637, TMF638, TMF639
from cascade.apis.ordering import TMF622, TMF641, TMF652
from cascade.tmf.declarations import ApiSpec

ALL_APIS: tuple[ApiSpec, ...] = (
    TMF622,
    TMF641,
    TMF652,
    TMF640,
    TMF702,
    TMF620,
    TMF633,
    TMF634,
    TMF637,
    TMF638,
    TMF639,
)

__all__ = ["ALL_APIS"]
