"""`cascade serve`: Cascade on HTTP, in one process or several, all layers or one."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from cascade.cli.options import DatabaseOption, database_errors, require_schema
from cascade.cli.security import AuthOption, serve_security
from cascade.components.topology import topology_of
from cascade.settings import (
    DEFAULT_DATABASE,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
    with_environment,
)

HostOption = Annotated[str, typer.Option(envvar="CASCADE_HOST", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(envvar="CASCADE_PORT", help="Port to listen on.")]
PublicUrlOption = Annotated[
    str | None, typer.Option(envvar="CASCADE_PUBLIC_URL", help="Base URL clients use (for href).")
]
DemoOption = Annotated[
    bool,
    typer.Option(
        "--demo",
        envvar="CASCADE_DEMO",
        help="Load the demo catalog into an empty catalog (a catalog with entities is kept).",
    ),
]
MigrateOption = Annotated[
    bool, typer.Option(envvar="CASCADE_MIGRATE", help="Upgrade the database schema first.")
]
WorkersOption = Annotated[
    int,
    typer.Option(
        min=1,
        envvar="CASCADE_WORKERS",
        help="Serving processes sharing the port (each with its own controllers).",
    ),
]
ControllersOption = Annotated[
    bool,
    typer.Option(
        envvar="CASCADE_CONTROLLERS",
        help="Run the fulfilment controllers in the serving processes "
        "(without them, run `cascade worker`).",
    ),
]
ComponentOption = Annotated[
    str,
    typer.Option(
        envvar="CASCADE_COMPONENT",
        help="all (every API) or one layer as a component with its own database: "
        "com, som (needs --som-url on com) or rom (needs --rom-url on som).",
    ),
]
SomUrlOption = Annotated[
    str | None, typer.Option(envvar="CASCADE_SOM_URL", help="SOM's base URL (for com).")
]
RomUrlOption = Annotated[
    str | None, typer.Option(envvar="CASCADE_ROM_URL", help="ROM's base URL (for som).")
]


def serve(
    host: HostOption = DEFAULT_HOST,
    port: PortOption = DEFAULT_PORT,
    database: DatabaseOption = DEFAULT_DATABASE,
    public_url: PublicUrlOption = None,
    demo: DemoOption = False,
    migrate: MigrateOption = True,
    workers: WorkersOption = 1,
    controllers: ControllersOption = True,
    auth: AuthOption = "none",
    component: ComponentOption = "all",
    som_url: SomUrlOption = None,
    rom_url: RomUrlOption = None,
) -> None:
    """Run Cascade: every API (the default), or one layer as a component (--component)."""
    from cascade.security.logs import use_log_format
    from cascade.serving import serve_app, serve_workers
    from cascade.storage.migrate import upgrade

    security = serve_security(auth, host)  # refuses mode none on a non-loopback address
    if not migrate:
        require_schema(database)
    use_log_format(security.log_format)  # JSON from the first line: Alembic's too
    if migrate:
        with database_errors(database):
            upgrade(database)
    settings = Settings(
        database_url=database,
        host=host,
        port=port,
        public_url=public_url,
        controllers=controllers,
        security=security,
    )
    settings = with_environment(settings)  # fulfilment settings from CASCADE_* variables
    settings = replace(settings, component=component, som_url=som_url, rom_url=rom_url)
    try:
        topology_of(settings)
    except ValueError as problem:
        raise typer.BadParameter(str(problem), param_hint="--component") from None
    if demo:
        _load_demo_catalog(settings)
    processes = "1 process" if workers == 1 else f"{workers} processes"
    typer.echo(f"Cascade on {settings.base_url}, {processes} (API docs: {settings.base_url}/docs)")
    if workers == 1:
        serve_app(settings)
    else:
        serve_workers(settings, workers)


def _load_demo_catalog(settings: Settings) -> None:
    from cascade.bootstrap import build
    from cascade.catalogs import demo_catalog

    cascade = build(settings)
    try:
        counts = cascade.catalogs.load_if_empty(demo_catalog())
    finally:
        cascade.close()
    if counts is None:
        typer.echo(
            "demo catalog not loaded: the catalog is not empty "
            "(`cascade catalog load` loads the demo over it)"
        )
    else:
        typer.echo(f"demo catalog loaded: {sum(counts.values())} entities")
