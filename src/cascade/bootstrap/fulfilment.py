"""The order chain assembled: controllers, the activation driver, the runtime, its companions.

Which layers run here, and how each reaches the layer below (in this process, or as mirrors
of another component's orders), comes from the topology (components/topology.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cascade.apis import kinds
from cascade.background.notices import Notices
from cascade.bootstrap.drivers import driver_parts
from cascade.components.follower import Follower, FollowerSettings
from cascade.components.mirror import MirroredChildren, Mirrors
from cascade.components.topology import Topology
from cascade.fulfilment.activation.activator import Activator
from cascade.fulfilment.activation.client_changes import ClientChanges
from cascade.fulfilment.activation.clients import ClientActivations
from cascade.fulfilment.activation.port import ActivationDriver, Target
from cascade.fulfilment.cancellation.compensation import Compensation
from cascade.fulfilment.cancellation.controller import CancelController
from cascade.fulfilment.cancellation.no_return import PointOfNoReturn
from cascade.fulfilment.integrity.guards import Integrity
from cascade.fulfilment.layers.catalog import CatalogCache
from cascade.fulfilment.layers.children import ChildOrders, LocalChildren
from cascade.fulfilment.layers.registry import LAYERS, RESOURCE, SERVICE, Layer
from cascade.fulfilment.layers.trace_roots import TraceRoots
from cascade.fulfilment.product.controller import ProductOrderController
from cascade.fulfilment.resource.controller import ResourceOrderController
from cascade.fulfilment.runtime import Controller, Runtime, RuntimeSettings
from cascade.fulfilment.service.controller import ServiceOrderController
from cascade.repositories import Repositories
from cascade.settings import Settings
from cascade.storage import work
from cascade.storage.database import Database
from cascade.tmf.declarations import Kind


@dataclass
class Chain:
    """Everything fulfilment needs at run time."""

    controllers: tuple[Controller, ...]
    driver: ActivationDriver
    # What clients' requests use: cancel requests by task kind, activations by kind.
    cancels: dict[Kind, CancelController]
    activations: dict[Kind, ClientActivations]
    network_changes: dict[Kind, ClientChanges]
    integrity: Integrity  # clients' DELETEs and PATCHes that would break the chain, refused
    runtime: Runtime = field(init=False)
    follower: Follower | None = None  # in a component: forwards and follows the next layer


def build_chain(
    repositories: Repositories,
    database: Database,
    settings: Settings,
    topology: Topology,
    catalog_cache: CatalogCache,
) -> Chain:
    def wake() -> None:  # an outcome the driver recorded: the controllers look (late bound)
        runtime.wake()

    parts = driver_parts(settings, database, wake)
    chain = _controllers(repositories, settings, topology, catalog_cache, parts.driver)
    runtime = chain.runtime = Runtime(
        database,
        chain.controllers,
        RuntimeSettings(lease_ms=settings.lease_ms, poll_interval_s=settings.poll_interval_s),
    )
    runtime.trace_root = TraceRoots(repositories)  # asked only while tracing
    runtime.companions.extend(parts.companions)
    if database.dialect == "postgresql":  # woken by other processes' new work (ADR 0027)
        runtime.companions.append(Notices(database.url, work.WORK_CHANNEL, runtime.wake))
    chain.follower = _follower(repositories, database, settings, topology, runtime)
    return chain


def _controllers(
    repositories: Repositories,
    settings: Settings,
    topology: Topology,
    catalog_cache: CatalogCache,
    driver: ActivationDriver,
) -> Chain:
    """The controllers of the layers this process runs, and what clients' requests use."""

    def activator(target: Target, entities: Kind, monitors: Kind) -> Activator:
        return Activator(
            target,
            repositories[entities],
            repositories[monitors],
            driver,
            max_attempts=settings.activation_attempts,
            backoff_ms=settings.activation_backoff_ms,
        )

    services = activator("service", kinds.SERVICE_ACTIVATION, kinds.SERVICE_ACTIVATION_MONITOR)
    resources = activator("resource", kinds.RESOURCE_ACTIVATION, kinds.RESOURCE_ACTIVATION_MONITOR)
    children = _children(repositories, topology)
    mirrored = topology.remote.layer if topology.remote is not None else None
    no_return = PointOfNoReturn(repositories, catalog_cache, mirrored)
    every_layer: dict[str, Controller] = {
        "product": ProductOrderController(repositories, catalog_cache, children["service"]),
        "service": ServiceOrderController(
            repositories, services, catalog_cache, no_return, children["resource"]
        ),
        "resource": ResourceOrderController(repositories, resources, catalog_cache),
    }
    running = [layer for layer in LAYERS if topology.runs(layer)]
    # Client POSTs to TMF640 /service and TMF702 /resource activate, and are followed to the end.
    activations = {
        each.entities.kind: ClientActivations(each)
        for each in (services, resources)
        if topology.serves_kind(each.entities.kind)
    }
    compensation = Compensation(repositories, driver, children)
    cancels = {
        layer.task_kind: CancelController(layer, repositories, compensation, no_return)
        for layer in running
    }
    controllers = (
        *(every_layer[layer.name] for layer in running),
        *activations.values(),
        *cancels.values(),
    )
    changes = {kind: ClientChanges(a.activator.target, driver) for kind, a in activations.items()}
    integrity = Integrity(repositories, children)
    return Chain(controllers, driver, cancels, activations, changes, integrity)


def _children(repositories: Repositories, topology: Topology) -> dict[str, ChildOrders]:
    """How each layer with a parent is reached from above: here, or mirrored."""
    found: dict[str, ChildOrders] = {}
    for layer in (SERVICE, RESOURCE):
        found[layer.name] = _port(layer, repositories, topology)
    return found


def _port(layer: Layer, repositories: Repositories, topology: Topology) -> ChildOrders:
    remote = topology.remote
    if remote is not None and remote.layer is layer:
        return MirroredChildren(remote, repositories)
    return LocalChildren(layer, repositories)


def _follower(
    repositories: Repositories,
    database: Database,
    settings: Settings,
    topology: Topology,
    runtime: Runtime,
) -> Follower | None:
    """In a component: the task that forwards mirrors to the next one and follows them."""
    if topology.remote is None:
        return None
    follower = Follower(
        database,
        Mirrors(topology.remote, repositories),
        FollowerSettings(
            callback_base=settings.base_url,
            follow_interval_s=settings.component_poll_interval_s,
            poll_interval_s=settings.poll_interval_s,
            timeout_s=settings.component_timeout_s,
            authorization=settings.component_authorization,
        ),
        runtime.wake,
    )
    follower.trace_root = runtime.trace_root  # a forwarded order continues its tree's trace
    runtime.companions.append(follower)
    runtime.after_step.append(follower.wake)  # a step may have made mirrors to forward
    return follower
