"""The activation drivers Cascade can use, by the name `activation_driver` settings give.

A driver for a real network system is one module implementing the port
(fulfilment/activation/port.py) and one entry here: a function of the settings that makes
the driver and the background tasks it needs (a sender, a poller), started with the
controllers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cascade.fulfilment.activation.gate import gate_at
from cascade.fulfilment.activation.http.driver import RECHECK_MS, Endpoints, HttpDriver
from cascade.fulfilment.activation.http.sender import HttpSender, SenderSettings
from cascade.fulfilment.activation.port import ActivationDriver
from cascade.fulfilment.activation.simulated import (
    SimulatedBehaviour,
    SimulatedNetwork,
    parse_behaviours,
)
from cascade.fulfilment.runtime import Companion
from cascade.settings import Settings
from cascade.storage.database import Database


@dataclass(frozen=True)
class DriverParts:
    driver: ActivationDriver
    companions: tuple[Companion, ...] = ()  # started with the controllers, stopped after


# The settings, the database, and what to call when an outcome is recorded (the runtime's wake).
DriverFactory = Callable[[Settings, Database, Callable[[], None]], DriverParts]


def simulated(settings: Settings, database: Database, wake: Callable[[], None]) -> DriverParts:
    """The simulated network (docs/activation.md): latency and failures per specification,
    and the tests' gate."""
    return DriverParts(
        SimulatedNetwork(
            default=SimulatedBehaviour(
                settings.simulator_latency_ms, settings.simulator_failure_rate
            ),
            by_specification=parse_behaviours(settings.simulator_specifications),
            gate=gate_at(settings.simulator_gate),
        )
    )


def http(settings: Settings, database: Database, wake: Callable[[], None]) -> DriverParts:
    """External TMF640/TMF702 endpoints, called by a sender next to the controllers."""
    if not settings.activation_service_url or not settings.activation_resource_url:
        raise ValueError(
            "activation_driver 'http' needs activation_service_url (TMF640) and "
            "activation_resource_url (TMF702)"
        )
    driver = HttpDriver(
        Endpoints(settings.activation_service_url, settings.activation_resource_url),
        recheck_ms=max(RECHECK_MS, int(settings.activation_http_timeout_s * 1000)),
    )
    sender = HttpSender(
        database,
        SenderSettings(
            timeout_s=settings.activation_http_timeout_s,
            retries=settings.activation_http_retries,
            backoff_ms=settings.activation_backoff_ms,
            follow_ms=settings.activation_follow_ms,
            poll_interval_s=settings.poll_interval_s,
            authorization=settings.activation_http_authorization,
        ),
        on_outcome=wake,
    )
    driver.notify = sender.wake
    return DriverParts(driver, (sender,))


DRIVERS: dict[str, DriverFactory] = {
    "simulated": simulated,
    "http": http,
}


def driver_parts(settings: Settings, database: Database, wake: Callable[[], None]) -> DriverParts:
    """The driver the settings choose; a ValueError names the choices."""
    factory = DRIVERS.get(settings.activation_driver)
    if factory is None:
        choices = " or ".join(repr(name) for name in DRIVERS)
        raise ValueError(f"activation_driver must be {choices}, not {settings.activation_driver!r}")
    return factory(settings, database, wake)
