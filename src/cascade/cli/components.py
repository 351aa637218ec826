"""`cascade component status`: what a component forwards to and follows in the next one."""

from __future__ import annotations

import typer

from cascade.cli.options import DatabaseOption, open_database
from cascade.settings import DEFAULT_DATABASE

component_app = typer.Typer(
    help="The layers as separate components (docs/components.md).", no_args_is_help=True
)


@component_app.command("status")
def component_status(
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """The subscription, the mirrors by phase, and those being retried or failed."""
    from cascade.components import links

    db = open_database(database)
    try:
        subscriptions = db.read_sync(links.links)
        counts = db.read_sync(links.counts)
        waiting = db.read_sync(links.waiting)
        asks = db.read_sync(links.asks_pending)
    finally:
        db.close()
    if not subscriptions and not counts:
        typer.echo("not a component, or nothing forwarded yet")
        return
    for link in subscriptions:
        made = f"subscription {link.subscription_id}" if link.subscription_id else "not subscribed"
        typer.echo(f"hub {link.hub_url}: {made}, callback {link.callback}")
    phases = ", ".join(f"{phase} {count}" for phase, count in sorted(counts.items()))
    typer.echo(f"mirrors: {phases or 'none'}")
    if asks:
        typer.echo(f"holds or releases not carried out yet: {asks}")
    for row in waiting:
        where = row.remote_href or "not created yet"
        typer.echo(
            f"  {row.kind} {row.local_id}: {row.phase}, {row.tries} failed tries, {where}"
            f" ({row.updated_at}): {row.reason or ''}"
        )
