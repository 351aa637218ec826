"""The TMF Open APIs v4 that Cascade serves: one view of the kinds in `cascade.apis.kinds`."""

from cascade.apis.v4.activation import TMF640, TMF702
from cascade.apis.v4.catalogs import TMF620, TMF633, TMF634
from cascade.apis.v4.inventories import TMF637, TMF638, TMF639
from cascade.apis.v4.ordering import ORDER_ACTIONS, TMF622, TMF641, TMF652
from cascade.tmf.declarations import ApiSpec

V4_APIS: tuple[ApiSpec, ...] = (
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

__all__ = [
    "ORDER_ACTIONS",
    "TMF620",
    "TMF622",
    "TMF633",
    "TMF634",
    "TMF637",
    "TMF638",
    "TMF639",
    "TMF640",
    "TMF641",
    "TMF652",
    "TMF702",
    "V4_APIS",
]
