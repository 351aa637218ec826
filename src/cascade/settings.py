"""Settings, read by the composition root from the command line or `CASCADE_*` variables."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def base_url(self) -> str:
        """Where clients reach this server: the start of every `href`."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
