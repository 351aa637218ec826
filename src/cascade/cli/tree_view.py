"""A product order's tree (`GET /cascade/productOrder/{id}/tree`) as `order watch` prints it."""

from __future__ import annotations

from typing import Any

TERMINAL = {"completed", "failed", "partial", "rejected", "cancelled"}
ENDED = TERMINAL | {"terminated", "terminatedWithError", "done"}
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


def _state(value: Any) -> str:
    colour = COLOURS.get(str(value), "cyan")
    return f"[{colour}]{value}[/{colour}]"


def _words(*parts: Any) -> str:
    """The parts that say something, separated by spaces (no `None`, no blanks)."""
    return " ".join(str(part) for part in parts if part not in (None, ""))


def product_item_line(item: dict[str, Any]) -> str:
    """What a product order item asks: the offering of an add, the product a change acts on."""
    product = (item.get("product") or {}).get("id")
    offering = item.get("productOffering")
    if product and offering:
        what = f"{offering} (product {product})"
    elif product:
        what = f"product {product}"
    else:
        what = offering or "(no offering)"
    return _words("item", item.get("id"), item.get("action"), what, _state(item.get("state")))


def resource_item_line(item: dict[str, Any]) -> str:
    """A resource order item: its specification and values, or why it has none."""
    resource = item.get("resource") or {}
    values = ", ".join(f"{k}={v}" for k, v in (resource.get("characteristic") or {}).items())
    if not values:
        values = "(no values allocated)" if item.get("state") in ENDED else "(not allocated yet)"
    activation = item.get("activation") or {}
    line = _words(resource.get("specification") or "resource", values, _state(item.get("state")))
    return line + (f" (TMF702 {_state(activation['state'])})" if activation else "")


def render(tree: dict[str, Any]) -> Any:
    """The order tree as a rich Tree, every node with its state."""
    from rich.tree import Tree

    root = Tree(f"[bold]ProductOrder {tree['id']}[/bold] {_state(tree['state'])}")
    for item in tree["items"]:
        branch = root.add(product_item_line(item))
        placed = [item.get("serviceOrder"), *(item.get("moreServiceOrders") or ())]
        for service_order in placed:
            if service_order:
                _service_order(branch, service_order)
    for note in tree.get("note") or ():
        root.add(f"[dim]note: {note.get('text')}[/dim]")
    return root


def _service_order(branch: Any, service_order: dict[str, Any]) -> None:
    so_branch = branch.add(f"ServiceOrder {service_order['id']} {_state(service_order['state'])}")
    for service_item in service_order["items"]:
        service = service_item.get("service") or {}
        node = so_branch.add(
            _words(
                "item",
                service_item.get("id"),
                service_item.get("action") if service_item.get("action") != "add" else None,
                service.get("category"),
                service.get("name") or service.get("id"),
                _state(service_item.get("state")),
            )
        )
        if service_item.get("activation"):
            node.add(f"TMF640 activation {_state(service_item['activation']['state'])}")
        resource_order = service_item.get("resourceOrder")
        if resource_order:
            ro_branch = node.add(
                f"ResourceOrder {resource_order['id']} {_state(resource_order['state'])}"
            )
            for resource_item in resource_order["items"]:
                ro_branch.add(resource_item_line(resource_item))
