"""Declarations: what an API and each of its resources are. The generic layer does the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cascade.domain.states import StateMachine
from cascade.tmf.spec import SchemaOverlay, SpecDocument

OPERATIONS = ("list", "create", "retrieve", "patch", "delete")

HUB = "hub"


@dataclass(frozen=True)
class ItemState:
    """An array of items whose members get an initial state on create (`productOrderItem`)."""

    array: str
    initial: str
    attribute: str = "state"


@dataclass(frozen=True)
class ResourceSpec:
    """One TMF resource (`productOrder`), by the names its swagger uses.

    `state`, `date` and `key` name the first-level attributes copied into indexed columns;
    `terms` the dotted paths (often into arrays) indexed in the side table.
    `state_machine` and `item_state_machine` (for the arrays in `item_states`) decide which
    state changes a client's PATCH may make (see tmf/transitions.py).
    """

    name: str
    entity: str
    state: str | None = None
    initial_state: str | None = None
    item_states: tuple[ItemState, ...] = ()
    date: str | None = None
    creation_date: str | None = None
    last_update: str | None = None
    key: str | None = None
    terms: tuple[str, ...] = ()
    create_definition: str | None = None
    state_machine: StateMachine | None = None
    item_state_machine: StateMachine | None = None

    @property
    def create_schema(self) -> str:
        return self.create_definition or f"{self.entity}_Create"

    @property
    def update_schema(self) -> str:
        return f"{self.entity}_Update"


@dataclass(frozen=True)
class ApiSpec:
    """One TMF API: its number, swagger file, resources and conformance overlay."""

    code: str
    title: str
    spec_file: str
    resources: tuple[ResourceSpec, ...]
    overlay: SchemaOverlay = field(default_factory=SchemaOverlay)

    @cached_property
    def spec(self) -> SpecDocument:
        return SpecDocument(self.spec_file, self.overlay)

    @property
    def base_path(self) -> str:
        return self.spec.base_path

    def kind(self, resource: ResourceSpec) -> str:
        """The storage kind of a resource: unique across APIs (`tmf640.service`)."""
        return f"{self.code}.{resource.name}"

    def operations(self, resource: ResourceSpec) -> frozenset[str]:
        """The operations the swagger lists for this resource."""
        if resource.name == HUB:
            return frozenset({"list", "create", "retrieve", "delete"})
        paths = self.spec.swagger["paths"]
        collection = paths.get(f"/{resource.name}", {})
        item = paths.get(f"/{resource.name}/{{id}}", {})
        found = set()
        if "get" in collection:
            found.add("list")
        if "post" in collection:
            found.add("create")
        for method, operation in (("get", "retrieve"), ("patch", "patch"), ("delete", "delete")):
            if method in item:
                found.add(operation)
        return frozenset(found)

    @property
    def hub(self) -> ResourceSpec:
        """`/hub`: event subscriptions, stored like any resource (list, retrieve: extensions)."""
        return ResourceSpec(
            name=HUB,
            entity="EventSubscription",
            create_definition="EventSubscriptionInput",
            key="callback",
        )

    def resource(self, name: str) -> ResourceSpec:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)
