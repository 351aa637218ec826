"""What several commands share: the database option, and opening that database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from cascade.storage.database import Database

DatabaseOption = Annotated[
    str,
    typer.Option("--database", envvar="CASCADE_DATABASE", help="SQLAlchemy URL of the database."),
]


def fail(message: str) -> typer.Exit:
    """Print one line on stderr; `raise fail(...)` ends the command with status 1."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def shown(url: str) -> str:
    """The URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a database that cannot be opened into one line and status 1."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise fail(f"cannot open the database at {shown(url)}: {reason}") from None


def require_schema(url: str) -> None:
    """End the command with one clear line unless the database answers and is migrated."""
    from cascade.storage.migrate import current, head

    with database_errors(url):
        revision = current(url)
    if revision != head():
        found = f"at revision {revision}" if revision else "empty"
        raise fail(
            f"the database at {shown(url)} is {found}, this Cascade needs {head()}: "
            f"run `cascade db upgrade --database {shown(url)}` first"
        )


def open_database(url: str) -> Database:
    """The database at `url` with one reader, once `require_schema` has passed."""
    from cascade.storage.database import Database

    require_schema(url)
    return Database(url, readers=1)
