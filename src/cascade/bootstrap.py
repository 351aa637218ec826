"""The composition root: builds the database, services and application from settings."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar

from cascade.apis import ALL_APIS
from cascade.app import Services, create_app
from cascade.components.inbox import inbox_handlers
from cascade.components.topology import topology_of
from cascade.events.http import event_handlers
from cascade.events.sender import EventSender
from cascade.events.wiring import build_events
from cascade.fulfilment.chain import Chain, build_chain
from cascade.fulfilment.http import extension_handlers
from cascade.security.wiring import build_security
from cascade.settings import Settings
from cascade.storage.database import Database


@dataclass
class Cascade:
    """Everything a running Cascade holds; `close()` releases it."""

    settings: Settings
    database: Database
    services: Services
    app: Litestar
    chain: Chain
    events: EventSender

    def close(self) -> None:
        self.database.close()


def build(settings: Settings) -> Cascade:
    database = Database(settings.database_url, readers=settings.readers)
    services = Services(ALL_APIS, database, settings.base_url)
    chain = build_chain(services.by_kind, database, settings)
    runtime = chain.runtime
    events = build_events(services.by_kind, database, settings)
    runtime.companions.append(events)
    runtime.after_step.append(events.wake)  # a step's changes have events to send
    security = build_security(settings.security, settings.host, services.by_kind, database)
    topology = topology_of(settings)
    served = tuple(api for api in ALL_APIS if topology.serves(api))
    inbox = inbox_handlers(database, chain.follower) if chain.follower is not None else []
    app = create_app(
        served,
        services,
        public_url=settings.base_url,
        max_body_bytes=settings.max_body_bytes,
        on_startup=[*security.on_startup, *([runtime.start] if settings.controllers else [])],
        on_shutdown=[runtime.stop],
        extensions=[
            *extension_handlers(services.by_kind, database),
            *event_handlers(database),
            *security.extensions,
            *inbox,
        ],
        middleware=security.middleware,
        before_send=security.before_send,
        describe=security.describe,
    )
    return Cascade(settings, database, services, app, chain, events)
