"""The `cascade` command line."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.components import component_app
from cascade.cli.events import events_app, listen
from cascade.cli.orders import order_app
from cascade.cli.orders import worker as run_worker
from cascade.cli.security import AuthOption, apikey_app, audit_app, serve_security
from cascade.components.topology import topology_of
from cascade.settings import (
    DEFAULT_DATABASE,
    DEFAULT_HOST,
    DEFAULT_PORT,
    Settings,
    with_environment,
)

app = typer.Typer(help="Cascade: TM Forum order management.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
catalog_app = typer.Typer(help="Catalog files.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(order_app, name="order")
app.add_typer(apikey_app, name="apikey")
app.add_typer(audit_app, name="audit")
app.add_typer(events_app, name="events")
app.add_typer(component_app, name="component")
app.command("listen")(listen)

DatabaseOption = Annotated[
    str,
    typer.Option("--database", envvar="CASCADE_DATABASE", help="SQLAlchemy URL of the database."),
]


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="CASCADE_HOST", help="Address to listen on.")] = (
        DEFAULT_HOST
    ),
    port: Annotated[int, typer.Option(envvar="CASCADE_PORT", help="Port to listen on.")] = (
        DEFAULT_PORT
    ),
    database: DatabaseOption = DEFAULT_DATABASE,
    public_url: Annotated[
        str | None,
        typer.Option(envvar="CASCADE_PUBLIC_URL", help="Base URL clients use (for href)."),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", envvar="CASCADE_DEMO", help="Load the demo catalog.")
    ] = False,
    migrate: Annotated[
        bool,
        typer.Option(envvar="CASCADE_MIGRATE", help="Upgrade the database schema first."),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="CASCADE_WORKERS",
            help="Serving processes sharing the port (each with its own controllers).",
        ),
    ] = 1,
    controllers: Annotated[
        bool,
        typer.Option(
            envvar="CASCADE_CONTROLLERS",
            help="Run the fulfilment controllers in the serving processes "
            "(without them, run `cascade worker`).",
        ),
    ] = True,
    auth: AuthOption = "none",
    component: Annotated[
        str,
        typer.Option(
            envvar="CASCADE_COMPONENT",
            help="all (every API) or one layer as a component with its own database: "
            "com, som (needs --som-url on com) or rom (needs --rom-url on som).",
        ),
    ] = "all",
    som_url: Annotated[
        str | None, typer.Option(envvar="CASCADE_SOM_URL", help="SOM's base URL (for com).")
    ] = None,
    rom_url: Annotated[
        str | None, typer.Option(envvar="CASCADE_ROM_URL", help="ROM's base URL (for som).")
    ] = None,
) -> None:
    """Run Cascade: every API (the default), or one layer as a component (--component)."""
    from cascade.storage.migrate import upgrade
    from cascade.cli.serving import serve_app, serve_workers

    security = serve_security(auth, host)  # refuses mode none on a non-loopback address
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if migrate:
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
        counts = cascade.catalogs.load(demo_catalog())
    finally:
        cascade.close()
    typer.echo(f"demo catalog loaded: {sum(counts.values())} entities")


@app.command()
def worker(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Run the fulfilment controllers without serving HTTP (several may run on PostgreSQL)."""
    run_worker(database)


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = DEFAULT_DATABASE,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from cascade.storage.migrate import current, upgrade

    upgrade(database, revision)
    typer.echo(f"database at revision {current(database)}")


@db_app.command("current")
def db_current(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Print the schema revision of the database."""
    from cascade.storage.migrate import current

    typer.echo(current(database) or "empty")


@catalog_app.command("load")
def catalog_load(
    file: Annotated[
        Path | None, typer.Argument(help="Catalog JSON file; the demo catalog if omitted.")
    ] = None,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Load catalog entities (TMF620/633/634 shapes) into the database, replacing same ids."""
    from cascade.bootstrap import build
    from cascade.catalogs import demo_catalog, read_catalog_file

    cascade = build(Settings(database_url=database))
    try:
        catalog = read_catalog_file(file) if file else demo_catalog()
        counts = cascade.catalogs.load(catalog)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        cascade.close()
    for kind, count in counts.items():
        typer.echo(f"{kind}: {count}")
