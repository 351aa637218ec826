"""The order chain assembled: controllers, activation drivers, the runtime and its companions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cascade.apis import kinds
from cascade.components.follower import Follower, FollowerSettings
from cascade.components.mirror import Mirrors
from cascade.components.topology import Topology
from cascade.components.undo import RemoteUndo
from cascade.fulfilment.activations import Activator
from cascade.fulfilment.cancellation import CancelController
from cascade.fulfilment.catalog import CatalogCache
from cascade.fulfilment.client_activations import ClientActivations
from cascade.fulfilment.client_changes import ClientChanges
from cascade.fulfilment.com import ProductOrderController
from cascade.fulfilment.compensation import Compensation
from cascade.fulfilment.drivers import (
    ActivationDriver,
    SimulatedBehaviour,
    SimulatedNetwork,
    parse_behaviours,
)
from cascade.fulfilment.http_driver import RECHECK_MS, Endpoints, HttpDriver
from cascade.fulfilment.http_sender import HttpSender, SenderSettings
from cascade.fulfilment.layers import BY_ORDER_KIND, LAYERS
from cascade.fulfilment.no_return import PointOfNoReturn
from cascade.fulfilment.rom import ResourceOrderController
from cascade.fulfilment.runtime import Controller, Runtime, RuntimeSettings
from cascade.fulfilment.som import ServiceOrderController
from cascade.repositories import Repositories
from cascade.settings import Settings
from cascade.storage.database import Database
from cascade.tmf.declarations import Kind


@dataclass
class Chain:
    """Everything fulfilment needs at run time."""

    runtime: Runtime
    network: SimulatedNetwork
    controllers: tuple[Controller, ...]
    driver: ActivationDriver
    sender: HttpSender | None = None  # with the HTTP driver: the task that makes its calls
    follower: Follower | None = None  # in a component: forwards and follows the next layer
    # What clients' requests use: cancel requests by task kind, activations by kind.
    cancels: dict[Kind, CancelController] = field(default_factory=dict)
    activations: dict[Kind, ClientActivations] = field(default_factory=dict)
    network_changes: dict[Kind, ClientChanges] = field(default_factory=dict)


def build_chain(
    repositories: Repositories,
    database: Database,
    settings: Settings,
    topology: Topology,
    catalog_cache: CatalogCache,
) -> Chain:
    network = SimulatedNetwork(
        default=SimulatedBehaviour(settings.simulator_latency_ms, settings.simulator_failure_rate),
        by_specification=parse_behaviours(settings.simulator_specifications),
    )
    driver: ActivationDriver = network
    http_driver = _http_driver(settings)
    if http_driver is not None:
        driver = http_driver

    def activator(target: Any, entities: Kind, monitors: Kind) -> Activator:
        return Activator(
            target,
            repositories[entities],
            repositories[monitors],
            driver,
            max_attempts=settings.activation_attempts,
            backoff_ms=settings.activation_backoff_ms,
        )

    service_activator = activator(
        "service", kinds.SERVICE_ACTIVATION, kinds.SERVICE_ACTIVATION_MONITOR
    )
    resource_activator = activator(
        "resource", kinds.RESOURCE_ACTIVATION, kinds.RESOURCE_ACTIVATION_MONITOR
    )
    no_return = PointOfNoReturn(repositories, catalog_cache)
    every_layer: tuple[Controller, ...] = (
        ProductOrderController(repositories, catalog_cache),
        ServiceOrderController(repositories, service_activator, catalog_cache, no_return),
        ResourceOrderController(repositories, resource_activator, catalog_cache),
    )
    orders = tuple(c for c in every_layer if topology.runs(BY_ORDER_KIND[c.kind]))
    # Client POSTs to TMF640 /service and TMF702 /resource activate, and are followed to the end.
    activations = {
        activator.entities.kind: ClientActivations(activator)
        for activator in (service_activator, resource_activator)
        if topology.serves_kind(activator.entities.kind)
    }
    network_changes = {
        kind: ClientChanges(client.activator.target, driver) for kind, client in activations.items()
    }
    mirrors = Mirrors(topology.remote, repositories) if topology.remote is not None else None
    remote_undo = None
    if topology.remote is not None:
        remote_undo = (topology.remote.layer, RemoteUndo(topology.remote.layer, repositories))
    compensation = Compensation(repositories, driver, remote_undo)
    cancels = {
        layer.task_kind: CancelController(layer, repositories, compensation, no_return)
        for layer in LAYERS
        if topology.runs(layer)
    }
    controllers = (*orders, *activations.values(), *cancels.values())
    runtime = Runtime(
        database,
        controllers,
        RuntimeSettings(
            lease_ms=settings.lease_ms,
            poll_interval_s=settings.poll_interval_s,
        ),
    )
    sender = None
    if http_driver is not None:
        sender = HttpSender(database, _sender_settings(settings), on_outcome=runtime.wake)
        http_driver.notify = sender.wake
        runtime.companions.append(sender)
    follower = None
    if mirrors is not None:
        follower = Follower(database, mirrors, _follower_settings(settings), runtime.wake)
        runtime.companions.append(follower)
        runtime.after_step.append(follower.wake)  # a step may have made mirrors to forward
    return Chain(
        runtime,
        network,
        controllers,
        driver,
        sender,
        follower,
        cancels,
        activations,
        network_changes,
    )


def _follower_settings(settings: Settings) -> FollowerSettings:
    return FollowerSettings(
        callback_base=settings.base_url,
        follow_interval_s=settings.component_poll_interval_s,
        poll_interval_s=settings.poll_interval_s,
        timeout_s=settings.component_timeout_s,
        authorization=settings.component_authorization,
    )


def _http_driver(settings: Settings) -> HttpDriver | None:
    """The HTTP driver when the settings choose it (both endpoints are then required)."""
    if settings.activation_driver == "simulated":
        return None
    if settings.activation_driver != "http":
        raise ValueError(
            f"activation_driver must be 'simulated' or 'http', not {settings.activation_driver!r}"
        )
    if not settings.activation_service_url or not settings.activation_resource_url:
        raise ValueError(
            "activation_driver 'http' needs activation_service_url (TMF640) and "
            "activation_resource_url (TMF702)"
        )
    return HttpDriver(
        Endpoints(settings.activation_service_url, settings.activation_resource_url),
        recheck_ms=max(RECHECK_MS, int(settings.activation_http_timeout_s * 1000)),
    )


def _sender_settings(settings: Settings) -> SenderSettings:
    return SenderSettings(
        timeout_s=settings.activation_http_timeout_s,
        retries=settings.activation_http_retries,
        backoff_ms=settings.activation_backoff_ms,
        follow_ms=settings.activation_follow_ms,
        poll_interval_s=settings.poll_interval_s,
        authorization=settings.activation_http_authorization,
    )
