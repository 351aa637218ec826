"""What happens to each kind of entity besides being stored: the one table.

A row per kind; its columns say:

- `written`: what runs in the transaction that creates an entity of the kind (a client's
  create or a controller's), or in which a client changes one;
- `create`: what a client's POST does instead of a plain insert;
- `checked`: what checks a client's POST body before anything is written;
- `patched`, `deleted`: what a client's PATCH or DELETE also does, in its transaction;
- `guarded`: what checks a client's DELETE of the stored entity before it is deleted;
- `committed`: what is woken once a client's write has committed;
- `party`: which entities a client bound to a party sees (security/parties.py).

Every write of every kind also records its TMF events in the same transaction
(repositories/events.py), and a client's write wakes the event sender once committed.

Read a row to know what a request does: a product order, once created, is scheduled for
COM's controller, and a client bound to a party must name itself in its `relatedParty`. A
cancel task is refused while another cancellation of the same order runs, else stored and
scheduled for its layer's cancellation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cascade.apis import kinds
from cascade.bootstrap.fulfilment import Chain
from cascade.components.topology import Topology
from cascade.domain.states import NOT_STARTED
from cascade.events.hub import HubSubscriptions
from cascade.frontend.types import (
    Access,
    BodyCheck,
    ClientBehaviour,
    Creator,
    DeleteCheck,
    DeleteHook,
    PatchHook,
)
from cascade.fulfilment.cancellation import claim as cancel_claim
from cascade.fulfilment.changes import claims as change_claims
from cascade.fulfilment.layers.catalog import CatalogCache
from cascade.fulfilment.layers.registry import LAYER_OF
from cascade.repositories import Repositories, WriteHook
from cascade.security import parties
from cascade.security.parties import RuleFactory
from cascade.storage import trace_parents, work
from cascade.telemetry import tracing
from cascade.tmf.declarations import ApiSpec, Kind

_T = TypeVar("_T")


@dataclass(frozen=True)
class Early:
    """What the `written` column may use: it is resolved before the repositories exist."""

    topology: Topology
    catalog_cache: CatalogCache


@dataclass(frozen=True)
class Late:
    """What the client columns may use: resolved once fulfilment and events are built."""

    repositories: Repositories
    chain: Chain
    hubs: Mapping[Kind, HubSubscriptions]
    wake_events: Callable[[], None]


@dataclass(frozen=True)
class Row:
    written: tuple[Callable[[Early, Kind], WriteHook | None], ...] = ()
    create: Callable[[Late, Kind], Creator | None] | None = None
    checked: tuple[Callable[[Late, Kind], BodyCheck | None], ...] = ()
    patched: tuple[Callable[[Late, Kind], PatchHook | None], ...] = ()
    deleted: tuple[Callable[[Late, Kind], DeleteHook | None], ...] = ()
    guarded: tuple[Callable[[Late, Kind], DeleteCheck | None], ...] = ()
    committed: tuple[Callable[[Late, Kind], Callable[[], None] | None], ...] = ()
    party: RuleFactory = parties.nobody


# --- what the columns hold ---------------------------------------------------------------------


def schedule(early: Early, kind: Kind) -> WriteHook | None:
    """An order or cancel task goes to its layer's controller, if the layer runs here (in a
    component, the next layer's are mirrors: the child orders port forwards them)."""
    if not early.topology.runs(LAYER_OF[kind]):
        return None

    def scheduled(connection: Any, document: dict[str, Any]) -> None:
        if document.get(kind.state or "") in NOT_STARTED:
            return  # a draft: scheduled when its client acknowledges it
        work.schedule(connection, kind.name, str(document["id"]))

    return scheduled


def trace_kept(early: Early, kind: Kind) -> WriteHook | None:
    """While tracing, an order created by a request keeps the request's trace context: its
    steps, and its children's, are that trace's (storage/trace_parents.py, ADR 0024)."""
    if not early.topology.runs(LAYER_OF[kind]):
        return None

    def kept(connection: Any, document: dict[str, Any]) -> None:
        traceparent = tracing.request_traceparent()  # None unless tracing, in a request
        if traceparent is not None:
            trace_parents.keep(connection, kind.name, str(document["id"]), traceparent)

    return kept


def order_forgotten(late: Late, kind: Kind) -> DeleteHook:
    """What was kept for an order beside its document goes with it, in the DELETE's
    transaction: its creating request's trace context, its cancellation's claim, and any
    change claim it still holds (ADR 0029)."""
    layer = LAYER_OF[kind]

    def forget(connection: Any, order_id: str) -> None:
        trace_parents.forget(connection, kind.name, order_id)
        cancel_claim.forget(connection, layer, order_id)
        change_claims.forget_order(connection, layer, order_id)

    return forget


def clear_catalog_cache(early: Early, kind: Kind) -> WriteHook:
    """Decomposition caches catalog entities a short while: a write here forgets them."""
    cache = early.catalog_cache

    def forget(connection: Any, document: dict[str, Any]) -> None:
        cache.clear()

    return forget


def wake_controllers(late: Late, kind: Kind) -> Callable[[], None]:
    return late.chain.runtime.wake


def cancel_request(late: Late, kind: Kind) -> Creator | None:
    """Refused when the order has a running cancellation already (409), else stored."""
    controller = late.chain.cancels.get(kind)
    return None if controller is None else controller.create


def activation_request(late: Late, kind: Kind) -> Creator | None:
    """The activation's first step taken with the driver: 201 when done, else 202 and a
    Monitor, and the activation scheduled to be followed to its end."""
    activations = late.chain.activations.get(kind)
    return None if activations is None else activations.create


def network_change(late: Late, kind: Kind) -> PatchHook | None:
    """A client taking the entity out of service, or changing its characteristics, changes
    the network too (fulfilment/activation/client_changes.py)."""
    changes = late.chain.network_changes.get(kind)
    return None if changes is None else changes.patched


def chain_kept(late: Late, kind: Kind) -> PatchHook | None:
    """A client's PATCH keeps the chain whole: an order's hold and release reach the orders
    below it; an inventory record is not ended or rewired under live state
    (fulfilment/integrity/)."""
    return late.chain.integrity.patches.get(kind)


def chain_owner_kept(late: Late, kind: Kind) -> DeleteCheck | None:
    """A client's DELETE leaves no live state without an owner: refused (409) for an order
    that runs or that others hang from, a live or depended-on record, a live activation."""
    return late.chain.integrity.deletes.get(kind)


def chain_started(late: Late, kind: Kind) -> Creator | None:
    """A client's POST of an inventory record names only records that exist (else 400)."""
    return late.chain.integrity.creates.get(kind)


def hub_check(late: Late, kind: Kind) -> BodyCheck:
    return late.hubs[kind].check


def hub_create(late: Late, kind: Kind) -> Creator:
    return late.hubs[kind].create


def hub_deleted(late: Late, kind: Kind) -> DeleteHook:
    return late.hubs[kind].deleted


# --- the table ---------------------------------------------------------------------------------

TABLE: dict[Kind, Row] = {
    # Orders and cancel tasks: to their layer's controller.
    kinds.PRODUCT_ORDER: Row(
        written=(schedule, trace_kept),
        patched=(chain_kept,),
        deleted=(order_forgotten,),
        guarded=(chain_owner_kept,),
        committed=(wake_controllers,),
        party=parties.related_party,
    ),
    kinds.SERVICE_ORDER: Row(
        written=(schedule, trace_kept),
        patched=(chain_kept,),
        deleted=(order_forgotten,),
        guarded=(chain_owner_kept,),
        committed=(wake_controllers,),
        party=parties.related_party,
    ),
    kinds.RESOURCE_ORDER: Row(
        written=(schedule, trace_kept),
        patched=(chain_kept,),
        deleted=(order_forgotten,),
        guarded=(chain_owner_kept,),
        committed=(wake_controllers,),
        party=parties.related_party,
    ),
    kinds.CANCEL_PRODUCT_ORDER: Row(
        written=(schedule,),
        create=cancel_request,
        committed=(wake_controllers,),
        party=parties.cancel_of(kinds.PRODUCT_ORDER, "productOrder"),
    ),
    kinds.CANCEL_SERVICE_ORDER: Row(
        written=(schedule,),
        create=cancel_request,
        committed=(wake_controllers,),
        party=parties.cancel_of(kinds.SERVICE_ORDER, "serviceOrder"),
    ),
    kinds.CANCEL_RESOURCE_ORDER: Row(
        written=(schedule,),
        create=cancel_request,
        committed=(wake_controllers,),
        party=parties.cancel_of(kinds.RESOURCE_ORDER, "resourceOrder"),
    ),
    # Activations: a client's POST activates; its PATCH may change the network.
    kinds.SERVICE_ACTIVATION: Row(
        create=activation_request,
        patched=(network_change,),
        guarded=(chain_owner_kept,),
        committed=(wake_controllers,),
        party=parties.related_party,
    ),
    kinds.RESOURCE_ACTIVATION: Row(
        create=activation_request,
        patched=(network_change,),
        guarded=(chain_owner_kept,),
        committed=(wake_controllers,),
        party=parties.related_party,
    ),
    kinds.SERVICE_ACTIVATION_MONITOR: Row(party=parties.nobody),
    kinds.RESOURCE_ACTIVATION_MONITOR: Row(party=parties.nobody),
    # Inventories: written by the controllers as orders complete; clients' writes keep the
    # chain whole.
    **{
        kind: Row(
            create=chain_started,
            patched=(chain_kept,),
            guarded=(chain_owner_kept,),
            party=parties.related_party,
        )
        for kind in (kinds.PRODUCT, kinds.SERVICE, kinds.RESOURCE)
    },
    # The catalog entities decomposition reads: a write forgets the cached ones.
    **{
        kind: Row(written=(clear_catalog_cache,), party=parties.shared)
        for kind in kinds.DECOMPOSITION_CATALOG
    },
}
# The other entities of a catalog API: shared by every party.
CATALOG = Row(party=parties.shared)
# Every API's `/hub`: the subscription checked and its secret kept; seen by its creator only.
HUB = Row(checked=(hub_check,), create=hub_create, deleted=(hub_deleted,), party=parties.owner)


def row_of(api: ApiSpec, kind: Kind) -> Row:
    """A kind's row: the table's, a hub's, or, for the rest of a catalog API, a catalog's."""
    if kind == api.hub.kind:
        return HUB
    if kind in TABLE:
        return TABLE[kind]
    if api.catalog:
        return CATALOG
    raise ValueError(f"{kind} has no row in the table of kinds (cascade/bootstrap/kinds.py)")


def rows(apis: Sequence[ApiSpec]) -> dict[Kind, Row]:
    """Every served kind's row; a kind without one is a start-up error."""
    return {r.kind: row_of(api, r.kind) for api in apis for r in api.all_resources}


# --- resolving the table -----------------------------------------------------------------------


def written_hooks(table: Mapping[Kind, Row], early: Early) -> dict[Kind, tuple[WriteHook, ...]]:
    """The `written` column, for the repositories."""
    return {
        kind: _present(hook(early, kind) for hook in row.written) for kind, row in table.items()
    }


def client_behaviour(row: Row, late: Late, kind: Kind, access: Access | None) -> ClientBehaviour:
    """The client columns of one row, for a TMF resource serving the kind."""
    return ClientBehaviour(
        create=None if row.create is None else row.create(late, kind),
        check_create=_present(check(late, kind) for check in row.checked),
        on_patch=_present(hook(late, kind) for hook in row.patched),
        on_delete=_present(hook(late, kind) for hook in row.deleted),
        check_delete=_present(check(late, kind) for check in row.guarded),
        committed=(*_present(wake(late, kind) for wake in row.committed), late.wake_events),
        access=access,
    )


def _present(found: Iterable[_T | None]) -> tuple[_T, ...]:
    return tuple(each for each in found if each is not None)
