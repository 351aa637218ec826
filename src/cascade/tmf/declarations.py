"""Declarations: the kinds of stored entity, and the APIs that serve them. The generic layer
does the rest.

A `Kind` is what is stored (`productOrder`): the same rows whichever API version reads them.
An `ApiSpec` is one version of one TMF API (TMF622 v4): its swagger, its resources (each a
view of a kind under a path name) and its identity (scope prefix, catalog or not, the
component that serves it). Every identity field is required: a declaration that forgets
one fails when it is made, at start-up, never as a silently different API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from cascade.domain.states import StateMachine
from cascade.tmf.errors import TmfError
from cascade.tmf.query import AnyOf, Condition
from cascade.tmf.spec import SchemaOverlay, SpecDocument

OPERATIONS = ("list", "create", "retrieve", "patch", "delete")

HUB = "hub"
COMPONENTS = ("com", "som", "rom")
_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
_HUB_KIND = re.compile(r"^[a-z][A-Za-z0-9]*\.hub$")


@dataclass(frozen=True)
class ItemState:
    """An array of items whose members get an initial state on create (`productOrderItem`)."""

    array: str
    initial: str
    attribute: str = "state"
    # What Cascade keeps on each item for itself: stored, never shown to a client nor taken
    # from one (tmf/kept.py; an order item's `cascadeBefore`, ADR 0033).
    kept: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Kind:
    """A kind of stored TMF entity (`productOrder`), independent of any API version.

    `state`, `date` and `key` name the first-level attributes copied into indexed columns;
    `terms` the dotted paths (often into arrays) indexed in the side table. `state_machine`
    and `item_state_machine` (for the arrays in `item_states`) decide which state changes a
    client's PATCH may make (see tmf/transitions.py).
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
    state_machine: StateMachine | None = None
    item_state_machine: StateMachine | None = None
    # An attribute by which a client asks for another initial state (TMF622 v5
    # `requestedInitialState`), and the states it may ask for (`draft`).
    requested_state: str | None = None
    requestable_states: tuple[str, ...] = ()
    # An order's attributes the controllers copy into what it makes (child orders, inventory
    # records) once an item has started: a client's PATCH cannot change them after that
    # (`relatedParty`; tmf/transitions.py, ADR 0039).
    passed_down: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (_NAME.match(self.name) or _HUB_KIND.match(self.name)):
            raise ValueError(f"kind name {self.name!r} is not a lowerCamelCase name")

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kind) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


# What a document must satisfy beyond its schema; raises a TmfError (400) naming why.
DocumentCheck = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class StoredSchema:
    """The schema a kind's stored documents must stay valid against (its v4 entity), checked
    on every write through a `View`: `label` names it in the 400 (`TMF622 Product Ordering
    v4.0.0`)."""

    spec: SpecDocument
    definition: str
    label: str
    # What the server sets: `id`, `href`, and the kind's state (the state machine's values).
    server_set: frozenset[str] = frozenset({"id", "href"})
    # The item states the server sets too (an order's items' `state`, at any depth: a create
    # sets them, a PATCH's are the item state machine's): (array, attribute).
    server_item_states: tuple[tuple[str, str], ...] = ()

    def check(self, document: dict[str, Any]) -> None:
        """Raise a 400 naming what in the stored form `definition` refuses."""
        if not self.server_set.isdisjoint(document):
            document = {k: v for k, v in document.items() if k not in self.server_set}
        for array, attribute in self.server_item_states:
            if isinstance(document.get(array), list):
                document = {**document, array: _stateless(document[array], array, attribute)}
        try:
            self.spec.validate(self.definition, document, top_required=False)
        except TmfError as error:
            raise TmfError(
                400,
                "invalidBody",
                f"{error.message}: stored, it would break {self.label}, which shows the same "
                "document (docs/versions.md)",
            ) from None


def _stateless(items: list[Any], array: str, attribute: str) -> list[Any]:
    """The items (and their nested items) without their server-set `attribute`, copied."""
    kept: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            item = {k: v for k, v in item.items() if k != attribute}  # noqa: PLW2901
            if isinstance(item.get(array), list):
                item[array] = _stateless(item[array], array, attribute)
        kept.append(item)
    return kept


class View(Protocol):
    """How one API version shows a kind's stored documents (TMF622 v5 over `productOrder`).

    The stored document is the v4 one plus what only a later version expresses (docs/
    versions.md); a view without a `View` shows it as it is. `to_stored` turns a body or a
    patched document of this version into the stored form, `from_stored` the reverse;
    `stored_path` names where a dotted attribute of this version is stored (filters, sort).
    Both leave their argument alone; `store` and `show` are the same on a document the
    caller owns (freshly decoded), changed in place: a copy costs more than the translation.
    """

    def to_stored(self, document: dict[str, Any]) -> dict[str, Any]: ...

    def from_stored(self, document: dict[str, Any]) -> dict[str, Any]: ...

    def store(self, document: dict[str, Any]) -> dict[str, Any]: ...

    def show(self, document: dict[str, Any]) -> dict[str, Any]: ...

    def stored_path(self, path: str) -> str: ...

    def derives(self, attribute: str) -> bool:
        """True when this version derives `attribute` from other stored ones (TMF639 v5's
        statuses): a filter on it is `derived_filter`'s, and it cannot be sorted on."""
        ...

    def derived_filter(self, condition: Condition) -> AnyOf: ...


@dataclass(frozen=True)
class ResourceSpec:
    """One TMF resource of an API (`productOrder`): a view of a kind under a path name.

    `checks` run on a client's POST body after the schema, and on the document a client's
    PATCH makes (an order's items: unique ids, relationships that name items of the order).
    """

    name: str
    kind: Kind
    create_definition: str | None = None
    checks: tuple[DocumentCheck, ...] = ()
    update_definition: str | None = None
    view: View | None = None
    # The definition of the file that describes the entity, when it is not the kind's own
    # (TMF620 v5 names `ProductCatalog` what v4 and the kind call `Catalog`).
    entity_definition: str | None = None

    @property
    def entity(self) -> str:
        return self.entity_definition or self.kind.entity

    @property
    def create_schema(self) -> str:
        return self.create_definition or f"{self.entity}_Create"

    @property
    def update_schema(self) -> str:
        return self.update_definition or f"{self.entity}_Update"


@dataclass(frozen=True, kw_only=True)
class ApiSpec:
    """One TMF API in one version: its swagger file, its resources and its identity.

    `code` names the API in route names, docs pages and event rows (`tmf622`);
    `scope_prefix` its scopes (`productOrdering:read`); `catalog` APIs are shared by every
    party; `component` is the layer that serves it when the layers run as components.
    """

    code: str
    title: str
    spec_file: str
    resources: tuple[ResourceSpec, ...]
    scope_prefix: str
    catalog: bool
    component: str
    overlay: SchemaOverlay = field(default_factory=SchemaOverlay)
    base_path_given: str | None = None  # an OpenAPI 3 file names none (TMF v5)
    # Attributes stored beyond this file's definitions (what only a later version says),
    # described in the served description as marked extensions: {definition: {name: schema}}.
    extensions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if not _NAME.match(self.code):
            problems.append(f"code {self.code!r} is not a lower-case name")
        if not _NAME.match(self.scope_prefix):
            problems.append(f"scope_prefix {self.scope_prefix!r} is not a lowerCamelCase name")
        if self.component not in COMPONENTS:
            problems.append(f"component must be one of {', '.join(COMPONENTS)}")
        names = [resource.name for resource in self.resources]
        if len(set(names)) != len(names) or HUB in names:
            problems.append("resource names must be unique and not 'hub'")
        if problems:
            raise ValueError(f"API {self.code}: " + "; ".join(problems))

    @cached_property
    def spec(self) -> SpecDocument:
        return SpecDocument(self.spec_file, self.overlay, self.base_path_given)

    @property
    def base_path(self) -> str:
        return self.spec.base_path

    def route_prefix(self, resource: ResourceSpec) -> str:
        """How route names and audit details name the resource here (`tmf622.productOrder`)."""
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

    @cached_property
    def hub(self) -> ResourceSpec:
        """`/hub`: event subscriptions, stored like any resource (list, retrieve: extensions).

        Subscriptions belong to one API version (its events' shapes), so the hub's kind is
        the API's own (`tmf622.hub`). v5 files call the subscription `Hub` (`Hub_FVO`).
        """
        if self.spec.has("Hub"):
            kind = Kind(f"{self.code}.{HUB}", "Hub", key="callback")
            return ResourceSpec(name=HUB, kind=kind, create_definition="Hub_FVO")
        kind = Kind(f"{self.code}.{HUB}", "EventSubscription", key="callback")
        return ResourceSpec(name=HUB, kind=kind, create_definition="EventSubscriptionInput")

    @property
    def all_resources(self) -> tuple[ResourceSpec, ...]:
        """The declared resources and the hub."""
        return (*self.resources, self.hub)

    def resource(self, name: str) -> ResourceSpec:
        for resource in self.all_resources:
            if resource.name == name:
                return resource
        raise KeyError(name)

    def serves(self, kind: Kind) -> ResourceSpec | None:
        """The resource that is this API's view of `kind`, if it has one."""
        return next((r for r in self.all_resources if r.kind == kind), None)
