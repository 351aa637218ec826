"""The TMF APIs Cascade serves, each a declaration over the generic layer.

`kinds` declares what is stored, version-neutral; `v4` the v4 APIs, each a view of those
kinds; `v5` the v5 ones, views translated to and from the same stored documents. `ALL_APIS`
is every API served; v4 first, so that the first view of a kind (where `href`s point) is v4's.
"""

from cascade.apis.v4 import V4_APIS
from cascade.apis.v5 import V5_APIS
from cascade.tmf.declarations import ApiSpec

ALL_APIS: tuple[ApiSpec, ...] = (*V4_APIS, *V5_APIS)

__all__ = ["ALL_APIS"]
