"""One product order at a glance: its tree as nodes, each with what the documents say.

`fulfilment/tree.py` finds the tree by primary keys; this module reads each node's whole
document beside it (dates, notes, error messages, milestones, jeopardies) and the inventory
records the tree produced, so that a failure or a wait shows on the node where it happened.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.tree import order_tree
from cascade.repositories import Repositories
from cascade.tmf.declarations import Kind

ENDED = frozenset({"completed", "failed", "partial", "rejected", "cancelled"})
NOT_RECORDED = "not recorded"  # an ended order did not write it (shown as a failure)
NOT_YET_RECORDED = "not yet recorded"  # a running order will (shown as neutral)
_DATES = ("orderDate", "startDate", "requestedStartDate", "completionDate", "cancellationDate")


@dataclass
class Node:
    """One box of the tree: an order, an item, an activation or an inventory record."""

    label: str  # ProductOrder, Item 1, ServiceActivation, TMF639 record...
    id: str | None
    state: str | None
    link: str | None = None  # its console page, for orders
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    jeopardies: list[dict[str, Any]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class TimelineEntry:
    at: str
    node: str
    what: str


def read_detail(
    connection: Connection, repositories: Repositories, order_id: str
) -> tuple[Node, list[TimelineEntry]] | None:
    """The product order's tree and timeline (None: no such order)."""
    tree = order_tree(connection, repositories, order_id)
    if tree is None:
        return None
    reader = Reader(connection, repositories, ended=tree["state"] in ENDED)
    root = reader.order(kinds.PRODUCT_ORDER, "ProductOrder", tree)
    for item in tree["items"]:
        root.children.append(reader.product_item(item))
    return root, reader.timeline


class Reader:
    def __init__(
        self, connection: Connection, repositories: Repositories, *, ended: bool = False
    ) -> None:
        self.connection = connection
        self.repositories = repositories
        self.ended = ended  # whether the order has ended: a record missing then is missing
        self.timeline: list[TimelineEntry] = []

    def document(self, kind: Kind, id_: Any) -> dict[str, Any]:
        if not id_:
            return {}
        return self.repositories[kind].peek(self.connection, str(id_)) or {}

    def order(self, kind: Kind, label: str, tree: Mapping[str, Any]) -> Node:
        document = self.document(kind, tree.get("id"))
        node = Node(
            label, tree.get("id"), tree.get("state"), f"/console/{kind.name}/{tree.get('id')}"
        )
        self.describe(node, document)
        return node

    def describe(self, node: Node, document: Mapping[str, Any]) -> None:
        """The document's dates, notes, errors, milestones and jeopardies on the node."""
        name = f"{node.label} {str(node.id)[:8]}"
        for attribute in _DATES:
            if document.get(attribute):
                node.facts.append((attribute, str(document[attribute])))
                self.timeline.append(TimelineEntry(str(document[attribute]), name, attribute))
        node.notes = list(document.get("note") or ())
        node.errors = _listed(document.get("errorMessage"))
        node.milestones = list(document.get("milestone") or ())
        node.jeopardies = list(document.get("jeopardyAlert") or ())
        for note in node.notes:
            self.timeline.append(
                TimelineEntry(str(note.get("date", "")), name, str(note.get("text", "")))
            )
        for milestone in node.milestones:
            what = f"milestone {milestone.get('name')}: {milestone.get('status')}"
            self.timeline.append(TimelineEntry(str(milestone.get("milestoneDate", "")), name, what))
        for jeopardy in node.jeopardies:
            what = f"jeopardy {jeopardy.get('name')}: {jeopardy.get('message')}"
            self.timeline.append(TimelineEntry(str(jeopardy.get("alertDate", "")), name, what))

    def product_item(self, item: Mapping[str, Any]) -> Node:
        node = Node(f"Item {item.get('id')}", None, item.get("state"))
        node.facts = [
            ("action", str(item.get("action"))),
            ("offering", str(item.get("productOffering"))),
        ]
        orders = [item.get("serviceOrder"), *(item.get("moreServiceOrders") or ())]
        for service_order in orders:
            if service_order:
                node.children.append(self.service_order(service_order))
        product = item.get("product") or {}
        if product.get("id"):
            node.children.append(
                self.record(kinds.PRODUCT, "TMF637 product", product["id"], "status")
            )
        return node

    def service_order(self, tree: Mapping[str, Any]) -> Node:
        node = self.order(kinds.SERVICE_ORDER, "ServiceOrder", tree)
        for item in tree.get("items") or ():
            service = item.get("service") or {}
            child = Node(f"Service item {item.get('id')}", None, item.get("state"))
            child.facts = [
                ("action", str(item.get("action"))),
                ("service", str(service.get("name"))),
            ]
            activation = item.get("activation")
            if activation:
                child.children.append(
                    self.activation(kinds.SERVICE_ACTIVATION, "TMF640 service", activation)
                )
                child.children.append(
                    self.record(kinds.SERVICE, "TMF638 service", activation["id"], "state")
                )
            if item.get("resourceOrder"):
                child.children.append(self.resource_order(item["resourceOrder"]))
            node.children.append(child)
        return node

    def resource_order(self, tree: Mapping[str, Any]) -> Node:
        node = self.order(kinds.RESOURCE_ORDER, "ResourceOrder", tree)
        for item in tree.get("items") or ():
            resource = item.get("resource") or {}
            child = Node(f"Resource item {item.get('id')}", None, item.get("state"))
            child.facts = [("specification", str(resource.get("specification")))]
            child.facts += [
                (str(k), _text(v)) for k, v in (resource.get("characteristic") or {}).items()
            ]
            activation = item.get("activation")
            if activation:
                child.children.append(
                    self.activation(kinds.RESOURCE_ACTIVATION, "TMF702 resource", activation)
                )
                child.children.append(
                    self.record(
                        kinds.RESOURCE, "TMF639 resource", activation["id"], "resourceStatus"
                    )
                )
            node.children.append(child)
        return node

    def activation(self, kind: Kind, label: str, found: Mapping[str, Any]) -> Node:
        node = Node(label, found.get("id"), found.get("state"))
        self.describe(node, self.document(kind, found.get("id")))
        return node

    def record(self, kind: Kind, label: str, id_: Any, attribute: str) -> Node:
        document = self.document(kind, id_)
        # A record the order has not written yet is on its way, unless the order has ended.
        missing = NOT_RECORDED if self.ended else NOT_YET_RECORDED
        node = Node(label, str(id_), document.get(attribute) if document else missing)
        if document.get("name"):
            node.facts.append(("name", str(document["name"])))
        return node


def _listed(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [each for each in value or () if isinstance(each, dict)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def sorted_timeline(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    return sorted(entries, key=lambda entry: entry.at)
