"""How `order watch` prints an order tree's nodes: no `None`, no blanks."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from cascade.cli.tree_view import product_item_line, render, resource_item_line


def printed(renderable: Any) -> str:
    console = Console(width=200, no_color=True, record=True)
    console.print(renderable)
    return console.export_text()


def test_an_add_item_names_its_offering() -> None:
    item = {"id": "1", "action": "add", "productOffering": "po-iptv", "state": "inProgress"}
    assert printed(product_item_line(item)).strip() == "item 1 add po-iptv inProgress"


def test_a_change_item_names_the_product_it_changes() -> None:
    item = {"id": "2", "action": "delete", "productOffering": None, "product": {"id": "p-7"}}
    assert printed(product_item_line({**item, "state": "completed"})).strip() == (
        "item 2 delete product p-7 completed"
    )
    item["productOffering"] = "po-static-ip"
    assert "item 2 delete po-static-ip (product p-7)" in printed(product_item_line(item))


def test_a_resource_not_allocated_yet_says_so() -> None:
    item: dict[str, Any] = {
        "id": "1",
        "state": "inProgress",
        "resource": {"specification": "VLAN", "characteristic": {}},
        "activation": None,
    }
    assert printed(resource_item_line(item)).strip() == "VLAN (not allocated yet) inProgress"
    item["state"] = "cancelled"
    assert printed(resource_item_line(item)).strip() == "VLAN (no values allocated) cancelled"
    item["resource"] = {"characteristic": {"vlanId": 100}}
    item["state"] = "completed"
    assert printed(resource_item_line(item)).strip() == "resource vlanId=100 completed"


def test_a_whole_tree_prints_no_none() -> None:
    tree = {
        "id": "po-1",
        "state": "inProgress",
        "note": [{"text": "cancelled: cancelled by request t-1 (test)"}],
        "items": [
            {
                "id": "1",
                "action": "modify",
                "productOffering": None,
                "product": {"id": "p-1"},
                "state": "inProgress",
                "serviceOrder": {
                    "id": "so-1",
                    "state": "inProgress",
                    "items": [
                        {
                            "id": "1",
                            "action": "modify",
                            "state": "inProgress",
                            "service": {"name": None, "category": None, "id": "s-1"},
                            "activation": None,
                            "resourceOrder": None,
                        }
                    ],
                },
            }
        ],
    }
    text = printed(render(tree))
    assert "None" not in text, text
    assert "item 1 modify product p-1 inProgress" in text
    assert "item 1 modify s-1 inProgress" in text
