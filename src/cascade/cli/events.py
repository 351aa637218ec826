"""`cascade events ...` (parked deliveries) and `cascade listen` (print received events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from cascade.cli.options import DatabaseOption, fail, open_database
from cascade.settings import DEFAULT_DATABASE

events_app = typer.Typer(help="Event delivery to /hub subscribers.", no_args_is_help=True)

SubscriptionOption = Annotated[
    str | None, typer.Option("--subscription", help="Only this subscription's (its hub id).")
]


T = TypeVar("T")


def _on_database(url: str, job: Callable[[Any], T], *, write: bool = False) -> T:
    """Run one job on the database at `url` (a write in the writer's transaction)."""
    db = open_database(url)
    try:
        return db.write_sync(job) if write else db.read_sync(job)
    finally:
        db.close()


@events_app.command("parked")
def events_parked(
    subscription: SubscriptionOption = None, database: DatabaseOption = DEFAULT_DATABASE
) -> None:
    """List the deliveries parked because their subscriber stayed unreachable."""
    from cascade.events import store

    found = _on_database(database, lambda c: store.parked(c, subscription))
    for delivery in found:
        typer.echo(
            f"{delivery.event_id}  {delivery.event_type}  subscription={delivery.subscription}"
            f"  {delivery.callback}  attempts={delivery.attempts}  {delivery.last_error or ''}"
        )
    typer.echo(f"{len(found)} parked", err=True)


@events_app.command("redeliver")
def events_redeliver(
    subscription: SubscriptionOption = None, database: DatabaseOption = DEFAULT_DATABASE
) -> None:
    """Put parked deliveries back in line; a running Cascade sends them at once."""
    from cascade.events import store

    count = _on_database(database, lambda c: store.redeliver(c, subscription), write=True)
    typer.echo(f"{count} deliveries back in line")


def listen(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 9000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    secret: Annotated[
        str | None,
        typer.Option("--secret", envvar="CASCADE_LISTEN_SECRET", help="Check signatures."),
    ] = None,
) -> None:
    """Listen for events on http://HOST:PORT/ and print each one (answers 201)."""
    from cascade.cli.listen import make_server

    try:
        server = make_server(host, port, secret, typer.echo)
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    typer.echo(f"listening on http://{host}:{server.server_port}/", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
