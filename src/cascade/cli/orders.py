"""`cascade order watch` and `release`: following orders, and releasing waiting ones."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from cascade.cli.options import fail
from cascade.cli.remote import (
    DEFAULT_URL,
    ApiKeyOption,
    UrlOption,
    headers_for,
    json_of,
    reaching,
    refused,
)
from cascade.cli.tree_view import TERMINAL, render

order_app = typer.Typer(help="Follow product orders.", no_args_is_help=True)

PRODUCT_ORDER = "/tmf-api/productOrderingManagement/v4/productOrder"
SERVICE_ORDER = "/tmf-api/serviceOrdering/v4/serviceOrder"


@order_app.command("watch")
def watch(
    order_id: Annotated[str, typer.Argument(help="Product order id.")],
    url: UrlOption = DEFAULT_URL,
    api_key: ApiKeyOption = None,
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.")] = 0.5,
    once: Annotated[bool, typer.Option("--once", help="Print the tree once and exit.")] = False,
) -> None:
    """Show a product order's tree (service orders, resource orders, activations) live."""
    from rich.console import Console
    from rich.live import Live

    console = Console()
    address = f"{url.rstrip('/')}/cascade/productOrder/{order_id}/tree"
    with reaching(url) as client:
        tree = _fetch(client, address, headers_for(api_key))
        if once:
            console.print(render(tree))
            raise typer.Exit(0 if tree["state"] != "rejected" else 1)
        with Live(render(tree), console=console, refresh_per_second=4) as live:
            while tree["state"] not in TERMINAL:
                time.sleep(interval)  # a refresh rate for a person, not a synchronisation
                tree = _fetch(client, address, headers_for(api_key))
                live.update(render(tree))


@order_app.command("release")
def release(
    order_id: Annotated[str, typer.Argument(help="Product order id.")],
    url: UrlOption = DEFAULT_URL,
    api_key: ApiKeyOption = None,
    service_order: Annotated[
        bool, typer.Option("--service-order", help="ORDER_ID is a TMF641 service order.")
    ] = False,
) -> None:
    """Release a pending or held order (its manual step is done): it carries on."""
    address = f"{url.rstrip('/')}{SERVICE_ORDER if service_order else PRODUCT_ORDER}/{order_id}"
    headers = {"content-type": "application/merge-patch+json", **headers_for(api_key)}
    with reaching(url) as client:
        response = client.patch(address, json={"state": "inProgress"}, headers=headers)
    if response.status_code != 200:
        raise refused(response)
    kind = "service order" if service_order else "product order"
    typer.echo(f"{kind} {order_id} released: {json_of(response, url).get('state')}")


def _fetch(client: Any, address: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(address, headers=headers)
    if response.status_code != 200:
        raise refused(response)
    tree = json_of(response, address)
    if not isinstance(tree.get("state"), str) or not isinstance(tree.get("items"), list):
        raise fail(f"{address} did not answer with an order tree: is --url right?")
    return tree
