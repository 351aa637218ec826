"""The order chain assembled: controllers, activation drivers and the hooks that wake them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.components.follower import Follower, FollowerSettings
from cascade.components.mirror import Mirrors
from cascade.components.topology import topology_of
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
from cascade.settings import Settings
from cascade.storage import work
from cascade.storage.database import Database
from cascade.tmf.service import ResourceService


@dataclass
class Chain:
    """Everything fulfilment needs at run time."""

    runtime: Runtime
    network: SimulatedNetwork
    controllers: tuple[Controller, ...]
    driver: ActivationDriver
    sender: HttpSender | None = None  # with the HTTP driver: the task that makes its calls
    follower: Follower | None = None  # in a component: forwards and follows the next layer


def build_chain(
    services: Mapping[str, ResourceService], database: Database, settings: Settings
) -> Chain:
    network = SimulatedNetwork(
        default=SimulatedBehaviour(settings.simulator_latency_ms, settings.simulator_failure_rate),
        by_specification=parse_behaviours(settings.simulator_specifications),
    )
    driver: ActivationDriver = network
    http_driver = _http_driver(settings)
    if http_driver is not None:
        driver = http_driver

    def activator(target: Any, api: str) -> Activator:
        return Activator(
            target,
            services[f"{api}.{target}"],
            services[f"{api}.monitor"],
            driver,
            max_attempts=settings.activation_attempts,
            backoff_ms=settings.activation_backoff_ms,
        )

    service_activator = activator("service", "tmf640")
    resource_activator = activator("resource", "tmf702")
    catalog_cache = CatalogCache()
    catalog_cache.watch(services)
    topology = topology_of(settings)
    no_return = PointOfNoReturn(services, catalog_cache)
    every_layer: tuple[Controller, ...] = (
        ProductOrderController(services, catalog_cache),
        ServiceOrderController(services, service_activator, catalog_cache, no_return),
        ResourceOrderController(services, resource_activator, catalog_cache),
    )
    orders = tuple(c for c in every_layer if topology.runs(BY_ORDER_KIND[c.kind]))
    # Client POSTs to TMF640 /service and TMF702 /resource activate, and are followed to the end.
    client_activations = tuple(
        ClientActivations(activator)
        for activator, api in ((service_activator, "tmf640"), (resource_activator, "tmf702"))
        if topology.runs_activation(api)
    )
    mirrors = Mirrors(topology.remote, services) if topology.remote is not None else None
    remote_undo = None
    if topology.remote is not None:
        remote_undo = (topology.remote.layer, RemoteUndo(topology.remote.layer, services))
    compensation = Compensation(services, driver, remote_undo)
    cancels = tuple(
        CancelController(layer, services, compensation, no_return)
        for layer in LAYERS
        if topology.runs(layer)
    )
    controllers = (*orders, *client_activations, *cancels)
    runtime = Runtime(
        database,
        controllers,
        RuntimeSettings(
            lease_ms=settings.lease_ms,
            poll_interval_s=settings.poll_interval_s,
        ),
    )
    for controller in orders:
        _wake_on_writes(services[controller.kind], controller.kind, runtime)
    for cancel in cancels:  # a client's cancel request is checked for duplicates, then run
        services[cancel.kind].creator = cancel.create
        _wake_on_writes(services[cancel.kind], cancel.kind, runtime)
    for client in client_activations:
        # Not woken by writes: the order controllers write these entities too, and drive them.
        services[client.kind].creator = client.create
        services[client.kind].hooks.after_commit.append(runtime.wake)
        # A client's PATCH that deactivates or re-configures is applied to the network.
        ClientChanges(client.activator.target, driver).attach(services[client.kind])
    sender = None
    if http_driver is not None:
        sender = HttpSender(database, _sender_settings(settings), on_outcome=runtime.wake)
        http_driver.notify = sender.wake
        runtime.companions.append(sender)
    follower = None
    if mirrors is not None:
        mirrors.attach()
        follower = Follower(database, mirrors, _follower_settings(settings), runtime.wake)
        runtime.companions.append(follower)
        runtime.after_step.append(follower.wake)  # a step may have made mirrors to forward
    return Chain(runtime, network, controllers, driver, sender, follower)


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


def _wake_on_writes(service: ResourceService, kind: str, runtime: Runtime) -> None:
    """A created order, or one a client changed, is scheduled for its controller."""

    def schedule(connection: Connection, document: dict[str, Any]) -> None:
        work.schedule(connection, kind, str(document["id"]))

    service.hooks.on_write.append(schedule)
    service.hooks.after_commit.append(runtime.wake)
