"""A service or resource order on its own: its items, notes and errors, and where it came from."""

from __future__ import annotations

from sqlalchemy import Connection

from cascade.console.detail import Node, Reader, TimelineEntry
from cascade.console.listing import OrderKind
from cascade.repositories import Repositories


def read_single(
    connection: Connection, repositories: Repositories, order_kind: OrderKind, order_id: str
) -> tuple[Node, list[TimelineEntry]] | None:
    document = repositories[order_kind.kind].peek(connection, order_id)
    if document is None:
        return None
    reader = Reader(connection, repositories)
    root = reader.order(order_kind.kind, order_kind.kind.entity, document)
    for reference in document.get("externalReference") or ():
        root.facts.append(
            (f"made for {reference.get('name') or 'order'}", str(reference.get("id")))
        )
    for item in document.get(order_kind.items) or ():
        child = Node(f"Item {item.get('id')}", None, item.get("state"))
        child.facts = [("action", str(item.get("action")))]
        target = item.get("service") or item.get("resource") or {}
        if target.get("id"):
            child.facts.append(("for", str(target["id"])))
        root.children.append(child)
    return root, reader.timeline
