"""Reading and writing TMF documents of one kind on a connection (SQLAlchemy Core)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from cascade.storage.filters import (
    IndexedAttributes,
    condition_clause,
    selects_by_term,
    sort_expression,
)
from cascade.storage.tables import entity, entity_term
from cascade.tmf.matching import values_at
from cascade.tmf.query import ListQuery

MAX_TERM_LENGTH = 256


@dataclass(frozen=True)
class StoredDocument:
    pk: int
    id: str
    version: int
    doc: str


@dataclass(frozen=True)
class IndexedValues:
    """What a document puts in the indexed columns and the term table."""

    state: str | None
    date: str | None
    lookup: str | None
    terms: tuple[tuple[str, str], ...]


class DocumentTable:
    """The documents of one kind (`tmf622.productOrder`) and their indexed attributes."""

    def __init__(
        self,
        kind: str,
        *,
        state: str | None = None,
        date: str | None = None,
        lookup: str | None = None,
        terms: tuple[str, ...] = (),
    ) -> None:
        self.kind = kind
        self._attributes = (state, date, lookup)
        self._terms = terms
        columns = {
            name: column
            for name, column in zip(
                self._attributes, (entity.c.state, entity.c.date, entity.c.lookup), strict=True
            )
            if name
        }
        self.indexed = IndexedAttributes(kind, columns, frozenset(terms))

    def indexed_values(self, document: dict[str, Any]) -> IndexedValues:
        state, date, lookup = (
            _scalar_text(document.get(name)) if name else None for name in self._attributes
        )
        terms: list[tuple[str, str]] = []
        for path in self._terms:
            seen: set[str] = set()
            for value in values_at(document, tuple(path.split("."))):
                text = _scalar_text(value)
                if text is not None and text not in seen and len(text) <= MAX_TERM_LENGTH:
                    seen.add(text)
                    terms.append((path, text))
        return IndexedValues(state, date, lookup, tuple(terms))

    # --- writes -----------------------------------------------------------------------------

    def insert(
        self, connection: Connection, id_: str, doc: str, values: IndexedValues, now: str
    ) -> int:
        pk: int = connection.execute(
            insert(entity)
            .values(
                kind=self.kind,
                id=id_,
                version=1,
                state=values.state,
                date=values.date,
                lookup=values.lookup,
                created_at=now,
                doc=doc,
            )
            .returning(entity.c.pk)
        ).scalar_one()
        self._insert_terms(connection, pk, values)
        return pk

    def replace(
        self, connection: Connection, stored: StoredDocument, doc: str, values: IndexedValues
    ) -> int:
        """Write a new version of a stored document; returns the new version number."""
        version = stored.version + 1
        connection.execute(
            update(entity)
            .where(entity.c.pk == stored.pk)
            .values(
                version=version,
                state=values.state,
                date=values.date,
                lookup=values.lookup,
                doc=doc,
            )
        )
        connection.execute(delete(entity_term).where(entity_term.c.entity_pk == stored.pk))
        self._insert_terms(connection, stored.pk, values)
        return version

    def delete(self, connection: Connection, id_: str) -> bool:
        stored = self.get(connection, id_)
        if stored is None:
            return False
        connection.execute(delete(entity_term).where(entity_term.c.entity_pk == stored.pk))
        connection.execute(delete(entity).where(entity.c.pk == stored.pk))
        return True

    def _insert_terms(self, connection: Connection, pk: int, values: IndexedValues) -> None:
        if values.terms:
            connection.execute(
                insert(entity_term),
                [
                    {"entity_pk": pk, "kind": self.kind, "path": path, "value": value}
                    for path, value in values.terms
                ],
            )

    # --- reads ------------------------------------------------------------------------------

    def get(
        self, connection: Connection, id_: str, *, for_update: bool = False
    ) -> StoredDocument | None:
        statement = select(entity.c.pk, entity.c.id, entity.c.version, entity.c.doc).where(
            entity.c.kind == self.kind, entity.c.id == id_
        )
        if for_update and connection.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = connection.execute(statement).first()
        return None if row is None else StoredDocument(row.pk, row.id, row.version, row.doc)

    def list(self, connection: Connection, query: ListQuery) -> tuple[list[str], int]:
        """One page of documents (as JSON text) and the total count matching the filters."""
        dialect = connection.dialect.name
        where = [condition_clause(c, self.indexed, dialect) for c in query.conditions]
        if not any(selects_by_term(c, self.indexed) for c in query.conditions):
            where.insert(0, entity.c.kind == self.kind)
        order = [sort_expression(key, self.indexed, dialect) for key in query.sort]
        page = (
            select(entity.c.doc)
            .where(*where)
            .order_by(*order, entity.c.pk)
            .offset(query.offset)
            .limit(query.limit)
        )
        docs = list(connection.execute(page).scalars())
        if query.offset == 0 and len(docs) < query.limit:
            total = len(docs)
        else:
            total = connection.execute(select(func.count()).where(*where)).scalar_one()
        return docs, total


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None
