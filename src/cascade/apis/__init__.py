"""The TMF APIs Cascade serves, each a declaration over the generic layer.

`kinds` declares what is stored, version-neutral; `v4` the v4 APIs, each a view of those
kinds. `ALL_APIS` is every API served.
"""

from cascade.apis.v4 import V4_APIS
from cascade.tmf.declarations import ApiSpec

ALL_APIS: tuple[ApiSpec, ...] = V4_APIS

__all__ = ["ALL_APIS"]
