"""Settings, read by the composition root from the command line or `CASCADE_*` variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cascade.security.settings import SecuritySettings

DEFAULT_DATABASE = "sqlite:///cascade.db"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    readers: int = 4
    writers: int = 1  # writer threads per process, PostgreSQL only (storage/database.py)
    # Fulfilment: run the controllers in this process; their leases and polling.
    controllers: bool = True
    lease_ms: int = 30_000
    poll_interval_s: float = 0.5
    # Activation: attempts per activation, back-off between them, the simulated network.
    activation_attempts: int = 3
    activation_backoff_ms: int = 500
    simulator_latency_ms: int = 0
    simulator_failure_rate: float = 0.0
    simulator_specifications: str | None = None  # JSON: {"spec-id": {"latency_ms", "failure_rate"}}
    simulator_gate: str | None = None  # a directory: tests hold activations (activation/gate.py)
    # Activation driver: "simulated" (the network above) or "http": external TMF640/TMF702
    # endpoints (their base URLs, ending in /v4), with a timeout and retries per request and the
    # interval at which a monitor is followed.
    activation_driver: str = "simulated"
    activation_service_url: str | None = None
    activation_resource_url: str | None = None
    activation_http_timeout_s: float = 10.0
    activation_http_retries: int = 2
    activation_follow_ms: int = 500
    activation_http_authorization: str | None = None  # sent as is, e.g. "Bearer csk_..."

    # Events to /hub subscribers (cascade/events): which callback hosts are allowed, the
    # timeout of one POST, back-off between attempts, when a subscriber that stays down has its
    # events parked, and how often the outbox is looked at when nothing wakes the sender.
    hub_allowed_hosts: str | None = None
    events_timeout_s: float = 5.0
    events_backoff_ms: int = 1_000
    events_backoff_max_ms: int = 60_000
    events_park_after_s: float = 3_600.0
    events_poll_interval_s: float = 0.1

    # Which layers this process is (cascade/components): "all" (the default: every API, the
    # layers call each other in process), or "com", "som" or "rom", each with its own database,
    # reaching the next layer's TMF API at som_url or rom_url (base URLs, like public_url),
    # followed through its hub and polled every component_poll_interval_s as the fallback.
    component: str = "all"
    som_url: str | None = None
    rom_url: str | None = None
    component_poll_interval_s: float = 30.0
    component_timeout_s: float = 10.0
    component_authorization: str | None = None  # sent as is to the next component

    # The console's live pages re-read their order when an event about its tree has committed
    # (heard from other processes by pg_notify or, on a SQLite file, UNIX datagrams), and, as
    # a net, every console_live_net_s; with several processes whose notices cannot cross
    # (SQLite without AF_UNIX or without a private socket directory), every
    # console_live_fallback_s (docs/console.md). `processes`: how many serving processes
    # share the database (serving.py sets it).
    console_live_net_s: float = 10.0
    console_live_fallback_s: float = 1.0
    processes: int = 1

    # Authentication, rate limits, audit and logs (cascade/security/settings.py).
    security: SecuritySettings = field(default_factory=SecuritySettings)

    @property
    def on_loopback(self) -> bool:
        from cascade.security.settings import is_loopback

        return is_loopback(self.host)

    def console_live_reread_s(self, notices_cross: bool) -> float:
        """How often a live console page re-reads its order without having heard an event;
        `notices_cross`: whether other processes' commits are heard (Database)."""
        alone = self.controllers and self.processes == 1
        if notices_cross or alone:
            return self.console_live_net_s
        return self.console_live_fallback_s

    @property
    def base_url(self) -> str:
        """Where clients reach this server: the start of every `href`."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


# Fulfilment settings any process running controllers (`serve`, `worker`) takes from
# `CASCADE_<NAME>` variables, e.g. CASCADE_LEASE_MS=2000 or CASCADE_SIMULATOR_SPECIFICATIONS.
FROM_ENVIRONMENT: dict[str, Callable[[str], Any]] = {
    "writers": int,
    "lease_ms": int,
    "poll_interval_s": float,
    "activation_attempts": int,
    "activation_backoff_ms": int,
    "simulator_latency_ms": int,
    "simulator_failure_rate": float,
    "simulator_specifications": str,
    "simulator_gate": str,
    "activation_driver": str,
    "activation_service_url": str,
    "activation_resource_url": str,
    "activation_http_timeout_s": float,
    "activation_http_retries": int,
    "activation_follow_ms": int,
    "activation_http_authorization": str,
    "hub_allowed_hosts": str,
    "events_timeout_s": float,
    "events_backoff_ms": int,
    "events_backoff_max_ms": int,
    "events_park_after_s": float,
    "events_poll_interval_s": float,
    "component": str,
    "som_url": str,
    "rom_url": str,
    "component_poll_interval_s": float,
    "component_timeout_s": float,
    "component_authorization": str,
    "console_live_net_s": float,
    "console_live_fallback_s": float,
}


def with_environment(settings: Settings, environ: Mapping[str, str] | None = None) -> Settings:
    """`settings` with the fulfilment values set by `CASCADE_*` environment variables."""
    variables = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for name, parse in FROM_ENVIRONMENT.items():
        variable = f"CASCADE_{name.upper()}"
        text = variables.get(variable)
        if text is None:
            continue
        try:
            changes[name] = parse(text)
        except ValueError:
            raise ValueError(f"{variable}={text!r} is not a valid {name}") from None
    return replace(settings, **changes)


def configure_logging(settings: Settings) -> None:
    """Every log line of this process in the settings' format (JSON for a server), from its
    first: Alembic's migration lines at start-up included, not only the app's."""
    from cascade.security.logs import use_log_format

    use_log_format(settings.security.log_format)
