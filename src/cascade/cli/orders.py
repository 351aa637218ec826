"""`cascade order watch` and `release`: following orders, and releasing waiting ones."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

order_app = typer.Typer(help="Follow product orders.", no_args_is_help=True)

PRODUCT_ORDER = "/tmf-api/productOrderingManagement/v4/productOrder"
SERVICE_ORDER = "/tmf-api/serviceOrdering/v4/serviceOrder"
TERMINAL = {"completed", "failed", "partial", "rejected", "cancelled"}
COLOURS = {
    "completed": "green",
    "active": "green",
    "available": "green",
    "failed": "red",
    "rejected": "red",
    "partial": "yellow",
    "alarm": "red",
    "inactive": "red",
}


@order_app.command("watch")
def watch(
    order_id: Annotated[str, typer.Argument(help="Product order id.")],
    url: Annotated[
        str, typer.Option(envvar="CASCADE_URL", help="Where Cascade serves its APIs.")
    ] = "http://127.0.0.1:8000",
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.")] = 0.5,
    once: Annotated[bool, typer.Option("--once", help="Print the tree once and exit.")] = False,
) -> None:
    """Show a product order's tree (service orders, resource orders, activations) live."""
    import httpx
    from rich.console import Console
    from rich.live import Live

    console = Console()
    address = f"{url.rstrip('/')}/cascade/productOrder/{order_id}/tree"
    with httpx.Client(timeout=10) as client:
        tree = _fetch(client, address)
        if once:
            console.print(render(tree))
            raise typer.Exit(0 if tree["state"] != "rejected" else 1)
        with Live(render(tree), console=console, refresh_per_second=4) as live:
            while tree["state"] not in TERMINAL:
                time.sleep(interval)
                tree = _fetch(client, address)
                live.update(render(tree))


@order_app.command("release")
def release(
    order_id: Annotated[str, typer.Argument(help="Product order id.")],
    url: Annotated[
        str, typer.Option(envvar="CASCADE_URL", help="Where Cascade serves its APIs.")
    ] = "http://127.0.0.1:8000",
    api_key: Annotated[
        str | None, typer.Option(envvar="CASCADE_API_KEY", help="An API key, if auth is on.")
    ] = None,
    service_order: Annotated[
        bool, typer.Option("--service-order", help="ORDER_ID is a TMF641 service order.")
    ] = False,
) -> None:
    """Release a pending or held order (its manual step is done): it carries on."""
    import httpx

    address = f"{url.rstrip('/')}{SERVICE_ORDER if service_order else PRODUCT_ORDER}/{order_id}"
    headers = {"content-type": "application/merge-patch+json"}
    if api_key:
        headers["X-API-Key"] = api_key
    with httpx.Client(timeout=10) as client:
        response = client.patch(address, json={"state": "inProgress"}, headers=headers)
    if response.status_code != 200:
        typer.echo(f"error: {response.status_code} {_message(response)}", err=True)
        raise typer.Exit(1)
    kind = "service order" if service_order else "product order"
    typer.echo(f"{kind} {order_id} released: {response.json().get('state')}")


def _message(response: Any) -> str:
    try:
        return str(response.json().get("message", response.text))
    except ValueError:
        return str(response.text)


def _fetch(client: Any, address: str) -> dict[str, Any]:
    response = client.get(address)
    if response.status_code != 200:
        message = response.json().get("message", response.text)
        typer.echo(f"error: {response.status_code} {message}", err=True)
        raise typer.Exit(1)
    tree: dict[str, Any] = response.json()
    return tree


def _state(value: Any) -> str:
    colour = COLOURS.get(str(value), "cyan")
    return f"[{colour}]{value}[/{colour}]"


def render(tree: dict[str, Any]) -> Any:
    """The order tree as a rich Tree, every node with its state."""
    from rich.tree import Tree

    root = Tree(f"[bold]ProductOrder {tree['id']}[/bold] {_state(tree['state'])}")
    for item in tree["items"]:
        branch = root.add(
            f"item {item['id']} {item['action']} {item['productOffering']} {_state(item['state'])}"
        )
        service_order = item.get("serviceOrder")
        if not service_order:
            continue
        so_branch = branch.add(
            f"ServiceOrder {service_order['id']} {_state(service_order['state'])}"
        )
        for service_item in service_order["items"]:
            service = service_item["service"]
            node = so_branch.add(
                f"item {service_item['id']} {service.get('category')} {service.get('name')} "
                f"{_state(service_item['state'])}"
            )
            if service_item.get("activation"):
                node.add(f"TMF640 activation {_state(service_item['activation']['state'])}")
            resource_order = service_item.get("resourceOrder")
            if resource_order:
                ro_branch = node.add(
                    f"ResourceOrder {resource_order['id']} {_state(resource_order['state'])}"
                )
                for resource_item in resource_order["items"]:
                    resource = resource_item["resource"]
                    values = ", ".join(f"{k}={v}" for k, v in resource["characteristic"].items())
                    activation = resource_item.get("activation") or {}
                    ro_branch.add(
                        f"{resource['specification']} {values} {_state(resource_item['state'])}"
                        + (f" (TMF702 {_state(activation['state'])})" if activation else "")
                    )
    for note in tree.get("note") or ():
        root.add(f"[dim]note: {note.get('text')}[/dim]")
    return root
