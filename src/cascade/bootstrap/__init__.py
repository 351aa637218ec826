"""The composition root: builds the database, repositories, fulfilment and the application.

`build(settings)` is the one place where the parts meet. The behaviours attached to each
kind are in one table (bootstrap/kinds.py); fulfilment is assembled in bootstrap/fulfilment.py
and event delivery in bootstrap/events.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from litestar import Litestar

from cascade.apis import ALL_APIS, stored_schema
from cascade.background.notices import Notices
from cascade.bootstrap import events as event_parts
from cascade.bootstrap.components_report import components_source
from cascade.bootstrap.fulfilment import Chain, build_chain
from cascade.bootstrap.kinds import Early, Late, Row, client_behaviour, rows, written_hooks
from cascade.catalogs import CatalogLoader
from cascade.components.topology import topology_of
from cascade.console.auth import ConsoleAuth
from cascade.console.context import Console
from cascade.console.routes import console_routes
from cascade.events.sender import EventSender
from cascade.frontend.extensions import ExtensionRoute
from cascade.frontend.resource import TmfResource
from cascade.fulfilment.layers.catalog import CatalogCache
from cascade.fulfilment.layers.registry import LAYER_OF
from cascade.fulfilment.runtime import Runtime
from cascade.repositories import Repositories
from cascade.security.access import CancelTarget, ResourceAccess
from cascade.security.parties import PartyRule
from cascade.security.scopes import Scopes
from cascade.security.wiring import SecurityParts, build_security, enforced
from cascade.settings import Settings
from cascade.storage.database import Database
from cascade.storage.entity_notices import ENTITY_CHANNEL, relay
from cascade.storage.migrate import head
from cascade.storage.socket_notices import SocketListener
from cascade.tmf.declarations import ApiSpec, Kind, ResourceSpec
from cascade.web.app import create_app, operations_only
from cascade.web.health import Probes, health_handlers
from cascade.web.routes import COMPONENT_EXTENSIONS, EXTENSIONS


@dataclass
class Cascade:
    """Everything a running Cascade holds; `close()` releases it."""

    settings: Settings
    database: Database
    repositories: Repositories
    resources: dict[str, TmfResource]  # by route prefix: tmf622.productOrder
    app: Litestar
    chain: Chain
    events: EventSender
    catalogs: CatalogLoader
    probes: Probes  # what /health/ready checks

    def close(self) -> None:
        self.database.close()


def build(settings: Settings) -> Cascade:
    database = Database(
        settings.database_url,
        readers=settings.readers,
        writers=settings.writers,
        notify_work=not settings.controllers,
    )
    topology = topology_of(settings)
    table = rows(ALL_APIS)
    early = Early(topology, CatalogCache())
    repositories = Repositories.of_apis(ALL_APIS, settings.base_url, written_hooks(table, early))
    chain = build_chain(repositories, database, settings, topology, early.catalog_cache)
    runtime = chain.runtime
    rules = {kind.name: row.party(repositories, kind) for kind, row in table.items()}
    publishers = event_parts.publishers_by_api(ALL_APIS)
    policy = event_parts.callback_policy(settings)
    events = event_parts.event_sender(database, settings, publishers, rules, policy)
    runtime.companions.append(events)
    runtime.after_step.append(events.wake)  # a step's changes have events to send
    hubs = event_parts.hub_subscriptions(ALL_APIS, repositories, publishers, policy)
    late = Late(repositories, chain, hubs, events.wake)
    resources = _resources(settings, database, table, late, rules)
    follower = chain.follower
    extensions = (*EXTENSIONS, *(COMPONENT_EXTENSIONS if follower is not None else ()))
    security = build_security(settings.security, settings.host, resources, extensions, database)
    served = tuple(api for api in ALL_APIS if topology.serves(api))
    probes = probes_of(database, settings, runtime)
    auth = _console_auth(security, extensions, settings.public_url)
    components = components_source(topology, served)
    console = Console(
        auth,
        resources,
        repositories,
        database,
        live_reread_s=settings.console_live_reread_s(database.notices_cross_processes),
        components=components,
    )
    live = live_notices(database)
    app = create_app(
        served,
        resources,
        public_url=settings.base_url,
        max_body_bytes=settings.max_body_bytes,
        extensions=extensions,
        dependencies={"database": database, "repositories": repositories, "follower": follower},
        on_startup=[
            *security.on_startup,
            *([runtime.start] if settings.controllers else []),
            *([live.start] if live else []),
        ],
        on_shutdown=[runtime.stop, *([live.stop] if live else [])],
        middleware=security.middleware,
        before_send=security.before_send,
        describe=security.describe,
        operations=[*health_handlers(probes), *console_routes(console)],
    )
    catalogs = CatalogLoader(ALL_APIS, repositories, database, settings.base_url)
    return Cascade(
        settings, database, repositories, resources, app, chain, events, catalogs, probes
    )


def live_notices(database: Database) -> Notices | SocketListener | None:
    """What tells this process's live console pages of the entities other processes
    committed events about: PostgreSQL notices (storage/entity_notices.py; after a
    reconnection, that anything may have changed), or on a SQLite file this process's
    datagram socket (storage/socket_notices.py). None where nothing crosses processes."""
    feed = database.committed
    heard = relay(feed, database.origin)
    if database.dialect == "postgresql":
        return Notices(database.url, ENTITY_CHANNEL, lambda: feed.publish(None), heard)
    if database.notice_directory is not None:
        return SocketListener(database.notice_directory, database.origin, heard)
    return None


def _console_auth(
    security: SecurityParts, extensions: tuple[ExtensionRoute, ...], public_url: str | None
) -> ConsoleAuth:
    """The console's sign-in: the APIs' authenticator and scopes; forms checked against the
    request's host and the public URL's."""
    built = security.scopes
    scopes = built if built is not None else Scopes(ALL_APIS, extensions)
    return ConsoleAuth(security.authenticator, scopes, public_url)


def probes_of(database: Database, settings: Settings, runtime: Runtime) -> Probes:
    """What `/health/ready` checks: the loops only where this process runs the controllers."""

    def loops() -> dict[str, bool]:
        return runtime.loops() if settings.controllers else {}

    return Probes(database, head(), loops)


def operations_app(cascade: Cascade, host: str) -> Litestar:
    """Only `/health/*` and `/metrics`: a worker's listener (`cascade worker --metrics-port`),
    under the same security settings as the API's (CASCADE_AUTH, CASCADE_METRICS_PUBLIC)."""
    security = build_security(cascade.settings.security, host, {}, (), cascade.database)
    handlers = health_handlers(cascade.probes)
    return operations_only(handlers, security.middleware, security.before_send)


def _resources(
    settings: Settings,
    database: Database,
    table: Mapping[Kind, Row],
    late: Late,
    rules: Mapping[str, PartyRule],
) -> dict[str, TmfResource]:
    """Every API resource, with its kind's client behaviour (and access, when enforced)."""
    secured = enforced(settings.security, settings.host)
    found: dict[str, TmfResource] = {}
    for api in ALL_APIS:
        for resource in api.all_resources:
            kind = resource.kind
            access = None
            if secured:
                access = _access(api, resource, late.repositories, rules[kind.name], settings)
            behaviour = client_behaviour(table[kind], late, kind, access)
            repository = late.repositories[kind]
            collection = f"{settings.base_url.rstrip('/')}{api.base_path}/{resource.name}"
            stored = stored_schema(kind) if resource.view is not None else None
            found[api.route_prefix(resource)] = TmfResource(
                api, resource, repository, database, behaviour, collection, stored
            )
    return found


def _access(
    api: ApiSpec,
    resource: ResourceSpec,
    repositories: Repositories,
    rule: PartyRule,
    settings: Settings,
) -> ResourceAccess:
    """Security's party rule and audit trail for one resource."""
    cancels = None
    layer = LAYER_OF.get(resource.kind)
    if layer is not None and layer.task_kind == resource.kind:
        orders = api.serves(layer.order_kind)
        assert orders is not None, f"{api.code} serves cancel tasks without their orders"
        cancels = CancelTarget(layer.reference, api.route_prefix(orders))
    return ResourceAccess(
        api.route_prefix(resource),
        repositories[resource.kind],
        rule,
        audited=settings.security.audited,
        cancels=cancels,
    )
