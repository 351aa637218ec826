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

    @property
    def base_url(self) -> str:
        """Where clients reach this server: the start of every `href`."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
