"""The composition root: builds the database, services and application from settings."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar

from cascade.apis import ALL_APIS
from cascade.app import Services, create_app
from cascade.settings import Settings
from cascade.storage.database import Database


@dataclass
class Cascade:
    """Everything a running Cascade holds; `close()` releases it."""

    settings: Settings
    database: Database
    services: Services
    app: Litestar

    def close(self) -> None:
        self.database.close()


def build(settings: Settings) -> Cascade:
    database = Database(settings.database_url, readers=settings.readers)
    services = Services(ALL_APIS, database, settings.base_url)
    app = create_app(
        ALL_APIS,
        services,
        public_url=settings.base_url,
        max_body_bytes=settings.max_body_bytes,
    )
    return Cascade(settings, database, services, app)
