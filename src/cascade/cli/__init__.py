"""The `cascade` command line: one Typer app, its commands in the modules beside this one."""

from __future__ import annotations

import typer

from cascade.cli.components import component_app
from cascade.cli.database import catalog_app, db_app
from cascade.cli.events import events_app, listen
from cascade.cli.orders import order_app
from cascade.cli.security import apikey_app, audit_app
from cascade.cli.serve import serve
from cascade.cli.worker import worker

app = typer.Typer(help="Cascade: TM Forum order management.", no_args_is_help=True)
app.command()(serve)
app.command()(worker)
app.command("listen")(listen)
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(order_app, name="order")
app.add_typer(apikey_app, name="apikey")
app.add_typer(audit_app, name="audit")
app.add_typer(events_app, name="events")
app.add_typer(component_app, name="component")
