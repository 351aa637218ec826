"""The order chain assembled: controllers, activation drivers and the hooks that wake them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from cascade.fulfilment.activations import Activator
from cascade.fulfilment.client_activations import ClientActivations
from cascade.fulfilment.com import ProductOrderController
from cascade.fulfilment.drivers import SimulatedBehaviour, SimulatedNetwork, parse_behaviours
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


def build_chain(
    services: Mapping[str, ResourceService], database: Database, settings: Settings
) -> Chain:
    network = SimulatedNetwork(
        default=SimulatedBehaviour(settings.simulator_latency_ms, settings.simulator_failure_rate),
        by_specification=parse_behaviours(settings.simulator_specifications),
    )

    def activator(target: Any, api: str) -> Activator:
        return Activator(
            target,
            services[f"{api}.{target}"],
            services[f"{api}.monitor"],
            network,
            max_attempts=settings.activation_attempts,
            backoff_ms=settings.activation_backoff_ms,
        )

    service_activator = activator("service", "tmf640")
    resource_activator = activator("resource", "tmf702")
    orders: tuple[Controller, ...] = (
        ProductOrderController(services),
        ServiceOrderController(services, service_activator),
        ResourceOrderController(services, resource_activator),
    )
    # Client POSTs to TMF640 /service and TMF702 /resource activate, and are followed to the end.
    client_activations = (
        ClientActivations(service_activator),
        ClientActivations(resource_activator),
    )
    controllers = (*orders, *client_activations)
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
    for client in client_activations:
        # Not woken by writes: the order controllers write these entities too, and drive them.
        services[client.kind].creator = client.create
        services[client.kind].hooks.after_commit.append(runtime.wake)
    return Chain(runtime, network, controllers)


def _wake_on_writes(service: ResourceService, kind: str, runtime: Runtime) -> None:
    """A created order, or one a client changed, is scheduled for its controller."""

    def schedule(connection: Connection, document: dict[str, Any]) -> None:
        work.schedule(connection, kind, str(document["id"]))

    service.hooks.on_write.append(schedule)
    service.hooks.after_commit.append(runtime.wake)
