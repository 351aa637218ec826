"""Alembic environment: runs migrations on the connection or URL handed over by `cascade db`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from cascade.storage.database import make_engine
from cascade.storage.tables import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        run(given)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


main()
