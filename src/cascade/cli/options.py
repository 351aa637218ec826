"""The options several commands share."""

from __future__ import annotations

from typing import Annotated

import typer

DatabaseOption = Annotated[
    str,
    typer.Option("--database", envvar="CASCADE_DATABASE", help="SQLAlchemy URL of the database."),
]
