"""Which layer a process is, what it serves, and where the next layer lives.

`all` is the default: every API in one process (or several sharing one database), the layers
calling each other in process. `com`, `som` and `rom` are the layers as components, each with
its own database (docs/adr/0011-layers-as-components.md):

- COM serves TMF622, TMF620 and TMF637 and runs the product order controllers;
- SOM serves TMF641, TMF633, TMF638 and TMF640 and runs the service order controllers;
- ROM serves TMF652, TMF634, TMF639 and TMF702 and runs the resource order controllers.

A component's next layer (SOM for COM, ROM for SOM) is reached through its TMF API; in the
component's own database that layer's orders and cancel tasks are *mirrors* (see mirror.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from cascade.apis import ALL_APIS
from cascade.fulfilment.layers.registry import PRODUCT, RESOURCE, SERVICE, Layer
from cascade.settings import Settings
from cascade.tmf.declarations import ApiSpec, Kind, ResourceSpec

COMPONENTS = ("all", "com", "som", "rom")
_OWN_LAYER = {"com": PRODUCT, "som": SERVICE, "rom": RESOURCE}
_NEXT = {"com": SERVICE, "som": RESOURCE}
_NEXT_NAME = {"com": "som", "som": "rom"}


@dataclass(frozen=True)
class Remote:
    """The next layer, as a component: its name, base URL and the layer it runs."""

    name: str  # som, rom
    base_url: str
    layer: Layer

    @property
    def api(self) -> ApiSpec:
        """The next layer's ordering API (TMF641, TMF652), as served there."""
        return next(api for api in ALL_APIS if api.serves(self.layer.order_kind))

    def resource(self, kind: Kind) -> ResourceSpec:
        """The resource of that API that serves a mirrored kind."""
        found = self.api.serves(kind)
        assert found is not None, f"{kind} is not served by {self.api.code}"
        return found

    @property
    def hub_url(self) -> str:
        return f"{self.base_url}{self.api.base_path}/hub"

    @property
    def followed_events(self) -> str:
        """The hub query: state changes of the orders and cancel tasks (the GET says the rest),
        and TMF641's milestones (SOM's `pointOfNoReturn` is one)."""
        order = self.layer.referred_type
        types = [f"{order}StateChangeEvent", f"Cancel{order}StateChangeEvent"]
        if self.layer is SERVICE:
            types.append(f"{order}MilestoneEvent")
        return "eventType=" + ",".join(types)

    @property
    def kinds(self) -> tuple[Kind, Kind]:
        """The kinds mirrored locally: the layer's orders and cancel tasks."""
        return (self.layer.order_kind, self.layer.task_kind)


@dataclass(frozen=True)
class Topology:
    component: str
    remote: Remote | None = None

    @property
    def all_in_one(self) -> bool:
        return self.component == "all"

    def serves(self, api: ApiSpec) -> bool:
        return self.all_in_one or api.component == self.component

    def runs(self, layer: Layer) -> bool:
        """Whether this process runs the controllers of `layer` (orders and cancel tasks)."""
        return self.all_in_one or _OWN_LAYER[self.component] is layer

    def serves_kind(self, kind: Kind) -> bool:
        """Whether an API of this process serves `kind` (clients' activations are driven
        where TMF640 and TMF702 are served)."""
        return any(self.serves(api) for api in ALL_APIS if api.serves(kind))

    def mirrored(self, kind: Kind) -> bool:
        return self.remote is not None and kind in self.remote.kinds


def topology_of(settings: Settings) -> Topology:
    """The topology the settings describe; a ValueError says what is missing or wrong."""
    component = settings.component
    if component not in COMPONENTS:
        raise ValueError(f"component must be one of {', '.join(COMPONENTS)}, not {component!r}")
    if component == "all" or component not in _NEXT:
        return Topology(component)
    name = _NEXT_NAME[component]
    url = settings.som_url if name == "som" else settings.rom_url
    if not url:
        upper = name.upper()
        raise ValueError(
            f"component {component!r} reaches {upper} through its API: "
            f"set CASCADE_{upper}_URL (or {name}_url) to {upper}'s base URL"
        )
    return Topology(component, Remote(name, url.rstrip("/"), _NEXT[component]))
