"""`cascade db` and `cascade catalog`: the schema, and catalog files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.options import DatabaseOption, database_errors, require_schema
from cascade.settings import DEFAULT_DATABASE, Settings

db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
catalog_app = typer.Typer(help="Catalog files.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = DEFAULT_DATABASE,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    from cascade.storage.migrate import current, upgrade

    with database_errors(database):
        upgrade(database, revision)
        typer.echo(f"database at revision {current(database)}")


@db_app.command("current")
def db_current(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """Print the schema revision of the database."""
    from cascade.storage.migrate import current

    with database_errors(database):
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

    require_schema(database)
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
