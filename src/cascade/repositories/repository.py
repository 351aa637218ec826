"""One kind's repository: its documents read and written inside the caller's transaction.

Controllers, the TMF front end, catalog loads and components all go through it. Every write
records the change's events in the same transaction (repositories/events.py), and an insert
runs the kind's `on_written` hooks (what the composition root attaches: a controller's
schedule, a cache's reset), so nothing is created without what it sets off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.repositories.events import EventRecorder
from cascade.storage.committed import note_read
from cascade.storage.documents import DocumentTable, StoredDocument
from cascade.tmf.declarations import Kind
from cascade.tmf.documents import new_id, prepare_new, prepare_update
from cascade.tmf.instants import now_instant
from cascade.tmf.query import ListQuery, parse_list_query
from cascade.tmf.schema import Shape

encode = msgspec.json.encode

# In the writing transaction, with the new document: an insert, or a client's change.
WriteHook = Callable[[Connection, dict[str, Any]], None]


@dataclass(frozen=True)
class Loaded:
    """A stored entity read for change: its row and its decoded document."""

    stored: StoredDocument
    document: dict[str, Any]


@dataclass(frozen=True)
class Saved:
    """A written document: its JSON text as stored, version, href and id (and, from an
    insert, the document itself, which the caller may keep: the text is what was stored)."""

    text: bytes
    version: int
    href: str
    id: str
    document: dict[str, Any] | None = None

    @classmethod
    def of(cls, stored: StoredDocument, href: str) -> Saved:
        return cls(stored.doc.encode(), stored.version, href, stored.id)


@dataclass(frozen=True)
class Created:
    """What a client's create made: the entity (answered 201), or, when `monitor` is given,
    an entity still being made, answered 202 with the monitor that follows it."""

    entity: Saved
    monitor: Saved | None = None


class Repository:
    """The documents of one kind (see the module doc)."""

    def __init__(
        self,
        kind: Kind,
        *,
        shape: Shape,
        collection_url: str,
        recorders: Sequence[EventRecorder] = (),
        on_written: Sequence[WriteHook] = (),
    ) -> None:
        self.kind = kind
        self.shape = shape  # the schema dates are normalised and list queries checked with
        self.collection_url = collection_url  # where the documents' `href`s point
        self.recorders = tuple(recorders)
        self.on_written = tuple(on_written)
        self.table = DocumentTable(
            kind.name, state=kind.state, date=kind.date, lookup=kind.key, terms=kind.terms
        )

    def href_of(self, id_: str) -> str:
        return f"{self.collection_url}/{id_}"

    # --- writes -----------------------------------------------------------------------------

    def insert(
        self, connection: Connection, body: dict[str, Any], *, id_: str | None = None
    ) -> Saved:
        """Store a new entity from a validated body (the server sets id, href, dates, states).

        Controllers pass a deterministic `id_` (derived from the parent order item) so that a
        step run twice finds what it created the first time instead of creating it again.
        """
        saved = self._insert(connection, body, id_ or new_id(), if_absent=False)
        assert saved is not None  # a taken id raised IntegrityError
        return saved

    def insert_absent(
        self, connection: Connection, body: dict[str, Any], *, id_: str
    ) -> Saved | None:
        """`insert` under `id_` unless an entity has it (None then, and nothing written):
        one statement where a get by id and an insert were two."""
        return self._insert(connection, body, id_, if_absent=True)

    def _insert(
        self, connection: Connection, body: dict[str, Any], id_: str, *, if_absent: bool
    ) -> Saved | None:
        now = now_instant()
        href = self.href_of(id_)
        document = prepare_new(self.kind, body, id_=id_, href=href, now=now, shape=self.shape)
        text = encode(document)
        values = self.table.indexed_values(document)
        pk = self.table.insert(connection, id_, text.decode(), values, now, if_absent=if_absent)
        if pk is None:  # the id was taken: nothing written, nothing to announce
            return None
        for recorder in self.recorders:
            recorder.created(connection, document, text)
        self.written(connection, document)
        return Saved(text, 1, href, id_, document)

    def written(self, connection: Connection, document: dict[str, Any]) -> None:
        """Run the kind's hooks for an entity created, or changed by a client."""
        for hook in self.on_written:
            hook(connection, document)

    def save(self, connection: Connection, loaded: Loaded) -> int:
        """Write back a document changed by a controller; returns its new version.

        No hooks: a controller's own change must not wake the controller again.
        """
        document = prepare_update(self.kind, loaded.document, now=now_instant(), shape=self.shape)
        return self.replace(connection, loaded.stored, document).version

    def replace(
        self, connection: Connection, stored: StoredDocument, document: dict[str, Any]
    ) -> Saved:
        """Write `document` as the next version of `stored`, as it is."""
        text = encode(document)
        values = self.table.indexed_values(document)
        version = self.table.replace(connection, stored, text.decode(), values)
        for recorder in self.recorders:
            recorder.changed(connection, stored.doc, document, text)
        return Saved(text, version, self.href_of(stored.id), stored.id)

    def insert_as_is(self, connection: Connection, document: dict[str, Any]) -> None:
        """Store a document that carries its own id and href (catalog files, replicas)."""
        text = encode(document)
        values = self.table.indexed_values(document)
        self.table.insert(connection, str(document["id"]), text.decode(), values, now_instant())
        for recorder in self.recorders:
            recorder.created(connection, document, text)

    def delete(self, connection: Connection, stored: StoredDocument) -> None:
        self.table.delete(connection, stored.id)
        for recorder in self.recorders:
            recorder.deleted(connection, stored.id, stored.doc.encode())

    # --- reads ------------------------------------------------------------------------------

    def get(
        self, connection: Connection, id_: str, *, for_update: bool = False
    ) -> StoredDocument | None:
        """The stored row, its JSON undecoded (row-locked on PostgreSQL when `for_update`)."""
        return self.table.get(connection, id_, for_update=for_update)

    def load(self, connection: Connection, id_: str) -> Loaded | None:
        """Read an entity for change (row-locked on PostgreSQL until the transaction ends)."""
        stored = self.table.get(connection, id_, for_update=True)
        if stored is None:
            return None
        return Loaded(stored, msgspec.json.decode(stored.doc))

    def peek(self, connection: Connection, id_: str) -> dict[str, Any] | None:
        """Read an entity without locking it."""
        note_read(connection, id_)  # for a reader that follows what it read (the console)
        stored = self.table.get(connection, id_)
        return None if stored is None else msgspec.json.decode(stored.doc)

    def find(self, connection: Connection, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """The entities matching TMF630 list parameters (first page), decoded."""
        docs, _ = self.list(connection, parse_list_query(params, self.shape))
        return [msgspec.json.decode(doc) for doc in docs]

    def list(
        self,
        connection: Connection,
        query: ListQuery,
        scope: tuple[Any, ...] = (),
        counted: bool = True,
    ) -> tuple[list[str], int]:
        """One page of documents (JSON text) and the total count (see DocumentTable.list)."""
        return self.table.list(connection, query, scope, counted)
