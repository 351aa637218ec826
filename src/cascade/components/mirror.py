"""Mirrors: the next component's orders and cancel tasks, as this component's controllers see them.

Replicas: COM plans modify and delete against the TMF638 services that realize a product
(fulfilment/changes/installed.py). In a COM component those live in SOM, so the services a service
order made or changed are read from SOM when it ends, and kept in COM's own TMF638 table (not
served) before the order's mirror shows it ended: a product is never completed ahead of them.

A controller creates a child order or cancel task exactly as in the all-in-one process,
through its child orders port (fulfilment/layers/children.py); in a component the port is
`MirroredChildren`, whose insert also records the intent to create it at the next component
(`remote_order`, same transaction). What the next component answers, and every later state
of it, replaces the mirror's document, keeping the local id and taking the remote `href`: the
controllers read the child as before, and are woken as the child layer's own controllers
would have woken them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.components import links
from cascade.components.topology import Remote
from cascade.components.undo import RemoteUndo
from cascade.domain.states import HELD, IN_PROGRESS, PENDING
from cascade.fulfilment.changes.cease import ORIGIN
from cascade.fulfilment.layers.documents import add_note, parent_named
from cascade.fulfilment.layers.registry import SERVICE, Layer, parent_of
from cascade.fulfilment.layers.reporting import report_up
from cascade.repositories import Repositories, Repository
from cascade.tmf.declarations import Kind

# What a create body never carries: the server sets them (the item states too).
SERVER_SET = ("id", "href", "state", "completionDate", "startDate", "effectiveCancellationDate")


class NotReadyError(Exception):
    """The body names another mirror the next component does not have yet: try again later."""


class Mirrors:
    """The mirrored kinds of one component (the next layer's orders and cancel tasks)."""

    def __init__(self, remote: Remote, repositories: Repositories) -> None:
        self.remote = remote
        self.layer: Layer = remote.layer
        self.orders = repositories[remote.layer.order_kind]
        self.tasks = repositories[remote.layer.task_kind]
        self.repositories = repositories
        # COM keeps the services that realize its products (SOM needs no resources of ROM).
        self.replicas = repositories[kinds.SERVICE] if remote.layer is SERVICE else None

    def service_of(self, kind: str) -> Repository:
        return self.orders if kind == self.orders.kind.name else self.tasks

    def idempotency_key(self, kind: str, local_id: str) -> str:
        """The key a mirror is POSTed with: the same for every retry, after a restart too."""
        resource = self.remote.resource(self.service_of(kind).kind)
        return f"cascade-{self.remote.api.route_prefix(resource)}-{local_id}"

    # --- outgoing ---------------------------------------------------------------------------

    def create_body(self, connection: Connection, kind: str, local_id: str) -> bytes | None:
        """The POST body for the mirror, its references to other mirrors made remote.

        None when the mirror is gone; NotReadyError when a mirror it names is not created yet.
        """
        mirrors = self.service_of(kind)
        document = mirrors.peek(connection, local_id)
        if document is None:
            return None
        body = _without_server_set(document, mirrors.kind)
        if kind == self.tasks.kind.name:
            reference = body.get(self.layer.reference) or {}
            body[self.layer.reference] = self._remote_reference(connection, reference)
        else:
            for ref in body.get("externalReference") or ():
                if ref.get("entityType") == ORIGIN:  # a cease names the order that made it
                    ref["id"] = self._remote_reference(connection, ref)["id"]
        return msgspec.json.encode(body)

    def _remote_reference(self, connection: Connection, ref: Mapping[str, Any]) -> dict[str, Any]:
        link = links.link_of(connection, self.orders.kind.name, str(ref.get("id")))
        if link is None or link.remote_id is None:
            raise NotReadyError(f"{self.layer.referred_type} {ref.get('id')} is not forwarded yet")
        return {
            **ref,
            "id": link.remote_id,
            "href": link.remote_href,
            "@referredType": self.layer.referred_type,
        }

    # --- incoming ---------------------------------------------------------------------------

    def apply(
        self, connection: Connection, kind: str, local_id: str, remote: dict[str, Any]
    ) -> bool:
        """Make the mirror what the next component says; True when it changed.

        The layer above is woken as the child layer's controllers would wake it.
        """
        mirrors = self.service_of(kind)
        loaded = mirrors.load(connection, local_id)
        if loaded is None:
            return False
        document = {**remote, "id": local_id}
        if document == loaded.document:
            return False
        mirrors.replace(connection, loaded.stored, document)
        self.wake_parent(connection, kind, document)
        return True

    def replica_hrefs(self, kind: str, remote: Mapping[str, Any]) -> list[str]:
        """The services an ended order made or changed, to read before it is applied."""
        if self.replicas is None or kind != self.orders.kind.name:
            return []
        hrefs = []
        for item in remote.get(self.layer.items) or ():
            href = (item.get("service") or {}).get("href")
            if item.get("state") == "completed" and href:
                hrefs.append(str(href))
        return hrefs

    def replicate(self, connection: Connection, documents: list[dict[str, Any]]) -> None:
        """Keep the next component's records as they are there (same id, remote href)."""
        if self.replicas is None:
            return
        for document in documents:
            loaded = self.replicas.load(connection, str(document["id"]))
            if loaded is None:
                self.replicas.insert_as_is(connection, document)
            elif loaded.document != document:
                self.replicas.replace(connection, loaded.stored, document)

    def refused(self, connection: Connection, kind: str, local_id: str, reason: str) -> None:
        """The next component refused the mirror for good: it ends as it would have there."""
        mirrors = self.service_of(kind)
        loaded = mirrors.load(connection, local_id)
        if loaded is None:
            return
        document = loaded.document
        if kind == self.orders.kind.name:
            document["state"] = "rejected"
            for item in document.get(self.layer.items) or ():
                item["state"] = "rejected"
        else:
            document["state"] = "terminatedWithError"
        add_note(document, reason)
        mirrors.replace(connection, loaded.stored, document)
        self.wake_parent(connection, kind, document)

    def state_of(self, connection: Connection, local_id: str) -> str | None:
        """The mirrored order's state as last read from the next component."""
        document = self.orders.peek(connection, local_id)
        return None if document is None else str(document.get("state"))

    def state_refused(self, connection: Connection, row: links.Claimed, reason: str) -> None:
        """The next component refused a hold or release: a dated note on the parent order."""
        parent_layer = parent_of(self.layer)
        assert parent_layer is not None, "only service and resource orders are mirrored"
        mirror = self.orders.peek(connection, row.local_id)
        named = None if mirror is None else parent_named(mirror, parent_layer.referred_type)
        if named is None:
            return
        parents = self.repositories[parent_layer.order_kind]
        loaded = parents.load(connection, named[0])
        if loaded is None:
            return
        what = "release" if row.state_asked == IN_PROGRESS else f"hold ({row.state_asked})"
        where = row.remote_href or row.collection_url
        text = f"the {what} of {self.layer.referred_type} {row.local_id} ({where}) was refused"
        add_note(loaded.document, f"{text}: {reason}")
        parents.save(connection, loaded)

    def wake_parent(self, connection: Connection, kind: str, document: Mapping[str, Any]) -> None:
        if kind == self.tasks.kind.name:  # the order's parent: its cancellation may wait on this
            order = self.orders.peek(connection, self.layer.order_id(document))
            if order is None:
                return
            document = order
        report_up(connection, self.layer, document)


class MirroredChildren:
    """The child orders port when the next layer is another component: a child order or
    cancel task is a mirror here, forwarded there, and an ended child is undone by a `delete`
    order there (undo.py)."""

    def __init__(self, remote: Remote, repositories: Repositories) -> None:
        self.remote = remote
        self.layer: Layer = remote.layer
        self.orders = repositories[remote.layer.order_kind]
        self.tasks = repositories[remote.layer.task_kind]
        self._undo = RemoteUndo(self)

    def place(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        self._mirror(self.orders, connection, body, id_)

    def ask_cancel(self, connection: Connection, body: dict[str, Any], id_: str) -> None:
        self._mirror(self.tasks, connection, body, id_)

    def undo_ended(
        self, connection: Connection, child: Mapping[str, Any], why: str, parent: dict[str, Any]
    ) -> bool:
        return self._undo(connection, child, why, parent)

    def carry(self, connection: Connection, child: Mapping[str, Any], state: str) -> bool:
        """The hold or release is the next component's to make: ask for it (the follower
        PATCHes it there). A release goes only where this component's hold went."""
        kind, local_id = self.orders.kind.name, str(child["id"])
        if state == IN_PROGRESS:
            link = links.link_of(connection, kind, local_id)
            if link is None or link.state_asked not in (HELD, PENDING):
                return True
        links.ask_state(connection, kind, local_id, state)
        return True

    def _mirror(
        self, mirrors: Repository, connection: Connection, body: dict[str, Any], id_: str
    ) -> None:
        """Store the mirror and, in the same transaction, the intent to create it there."""
        mirrors.insert(connection, body, id_=id_)
        remote = self.remote
        collection = f"{remote.base_url}{remote.api.base_path}/{remote.resource(mirrors.kind).name}"
        links.record_intent(connection, mirrors.kind.name, id_, collection)


def _without_server_set(document: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    dropped = {*SERVER_SET, kind.creation_date, kind.last_update, kind.state}
    body = {k: v for k, v in document.items() if k not in dropped}
    for items in kind.item_states:
        if items.array in body:
            body[items.array] = _strip_states(body[items.array], items.array, items.attribute)
    return body


def _strip_states(items: Any, array: str, attribute: str) -> Any:
    if not isinstance(items, list):
        return items
    stripped = []
    for item in items:
        if not isinstance(item, dict):
            stripped.append(item)
            continue
        kept = {k: v for k, v in item.items() if k != attribute}
        if array in kept:
            kept[array] = _strip_states(kept[array], array, attribute)
        stripped.append(kept)
    return stripped
