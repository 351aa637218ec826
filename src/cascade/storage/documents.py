"""Reading and writing TMF documents of one kind on a connection.

The hot statements (insert, terms, get by id) are plain driver SQL, written once per dialect
(on PostgreSQL an entity and its terms are one statement, so one round trip):
building and compiling them with SQLAlchemy Core on every call cost more than running them
(docs/performance.md). They run straight on the DB-API connection (on PostgreSQL through
`raw.execute`, which counts writes as the engine's hook does). The rest (lists,
replace, delete) uses SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from cascade.storage import held_rows, raw
from cascade.storage.filters import (
    IndexedAttributes,
    any_of_clause,
    condition_clause,
    selects_by_term,
    sort_expression,
)
from cascade.storage.tables import entity
from cascade.tmf.errors import bad_request
from cascade.tmf.matching import values_at
from cascade.tmf.query import ListQuery

MAX_TERM_LENGTH = 256
# The lengths of the state, date and lookup columns (tables.py): a longer value is a 400.
COLUMN_LENGTHS = (64, 32, 256)
RANGE_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
_RANGE_SQL = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class _Sql:
    """The hot statements of one dialect, as driver SQL with its parameter markers."""

    insert_entity: str
    insert_term: str
    get: str
    get_for_update: str
    update_entity: str
    delete_terms: str

    @classmethod
    def of(cls, dialect: str) -> _Sql:
        mark = "?" if dialect == "sqlite" else "%s"
        entity_values = ", ".join([mark, mark, "1", *[mark] * 5])
        insert_entity = (
            "INSERT INTO entity (kind, id, version, state, date, lookup, created_at, doc) "
            f"VALUES ({entity_values})"
        )
        get = f"SELECT pk, id, version, doc FROM entity WHERE kind = {mark} AND id = {mark}"
        return cls(
            insert_entity=insert_entity if dialect == "sqlite" else insert_entity + " RETURNING pk",
            insert_term="INSERT INTO entity_term (entity_pk, kind, path, value) "
            f"VALUES ({mark}, {mark}, {mark}, {mark})",
            get=get,
            get_for_update=get if dialect == "sqlite" else get + " FOR UPDATE",
            update_entity=f"UPDATE entity SET version = {mark}, state = {mark}, date = {mark}, "
            f"lookup = {mark}, doc = {mark} WHERE pk = {mark}",
            delete_terms=f"DELETE FROM entity_term WHERE entity_pk = {mark}",
        )


_SQLITE = _Sql.of("sqlite")
_POSTGRESQL = _Sql.of("postgresql")
# PostgreSQL: an entity and its terms in one statement, one round trip (the terms as two arrays).
_NEW_TERMS = (
    "INSERT INTO entity_term (entity_pk, kind, path, value) SELECT {pk}, %s, n.path, n.value"
    " FROM unnest(%s::text[], %s::text[]) AS n(path, value)"
)
_PG_INSERT = (
    f"WITH e AS ({_POSTGRESQL.insert_entity}),"
    f" t AS ({_NEW_TERMS.format(pk='e.pk')} CROSS JOIN e) SELECT pk FROM e"
)
# An id already taken inserts nothing (no row, no terms): "store it unless it exists" in one
# statement instead of a get by id and an insert (inventory records, docs/performance.md).
_ABSENT = " ON CONFLICT (kind, id) DO NOTHING"
_PG_INSERT_ABSENT = _PG_INSERT.replace(" RETURNING pk)", f"{_ABSENT} RETURNING pk)", 1)
_SQLITE_INSERT_ABSENT = _SQLITE.insert_entity + _ABSENT
_SQLITE_DELETE = "DELETE FROM entity WHERE pk = ?"
_PG_DELETE = f"WITH t AS ({_POSTGRESQL.delete_terms}) DELETE FROM entity WHERE pk = %s"
# The statements of a WITH share one snapshot: the DELETE removes the old terms only.
_PG_REPLACE = (
    f"WITH u AS ({_POSTGRESQL.update_entity}), d AS ({_POSTGRESQL.delete_terms}),"
    f" t AS ({_NEW_TERMS.format(pk='%s')}) SELECT 1"
)


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
    """The documents of one kind (`productOrder`) and their indexed attributes."""

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
        columns["id"] = entity.c.id  # `id=a,b` reads the (kind, id) index, not every document
        self.indexed = IndexedAttributes(kind, columns, frozenset(terms))

    def indexed_values(self, document: dict[str, Any]) -> IndexedValues:
        state, date, lookup = (
            _scalar_text(document.get(name)) if name else None for name in self._attributes
        )
        for name, text, limit in zip(
            self._attributes, (state, date, lookup), COLUMN_LENGTHS, strict=True
        ):
            if text is not None and (len(text) > limit or "\x00" in text):
                raise bad_request(f"'{name}' takes at most {limit} characters (and no NUL)")
        terms: list[tuple[str, str]] = []
        for path in self._terms:
            seen: set[str] = set()
            for value in values_at(document, tuple(path.split("."))):
                text = _scalar_text(value)
                if (
                    text is not None
                    and text not in seen
                    and len(text) <= MAX_TERM_LENGTH
                    and "\x00" not in text
                ):
                    seen.add(text)
                    terms.append((path, text))
        return IndexedValues(state, date, lookup, tuple(terms))

    # --- writes -----------------------------------------------------------------------------

    def insert(
        self,
        connection: Connection,
        id_: str,
        doc: str,
        values: IndexedValues,
        now: str,
        *,
        if_absent: bool = False,
    ) -> int | None:
        """Store a new document; returns its pk. `if_absent`: None, and nothing stored, when
        the id is taken (a unique violation otherwise)."""
        row = (self.kind, id_, values.state, values.date, values.lookup, now, doc)
        pk: int | None
        if connection.dialect.name == "sqlite":
            sql = _SQLITE_INSERT_ABSENT if if_absent else _SQLITE.insert_entity
            cursor = _driver(connection).execute(sql, row)
            pk = cursor.lastrowid if cursor.rowcount else None
            if pk is not None:
                self._insert_terms(connection, pk, values)
        else:
            terms = (self.kind, *_term_arrays(values))
            sql = _PG_INSERT_ABSENT if if_absent else _PG_INSERT
            found = raw.execute(connection, sql, (*row, *terms)).fetchone()
            pk = None if found is None else found[0]
        if pk is not None:
            held_rows.hold(connection, self.kind, StoredDocument(pk, id_, 1, doc))
        return pk

    def replace(
        self, connection: Connection, stored: StoredDocument, doc: str, values: IndexedValues
    ) -> int:
        """Write a new version of a stored document; returns the new version number."""
        version = stored.version + 1
        row = (version, values.state, values.date, values.lookup, doc, stored.pk)
        if connection.dialect.name == "sqlite":
            cursor = _driver(connection)
            cursor.execute(_SQLITE.update_entity, row)
            cursor.execute(_SQLITE.delete_terms, (stored.pk,))
            self._insert_terms(connection, stored.pk, values)
        else:
            terms = (stored.pk, self.kind, *_term_arrays(values))
            raw.execute(connection, _PG_REPLACE, (*row, stored.pk, *terms))
        held_rows.hold(connection, self.kind, StoredDocument(stored.pk, stored.id, version, doc))
        return version

    def delete(self, connection: Connection, id_: str) -> bool:
        stored = self.get(connection, id_)
        if stored is None:
            return False
        if connection.dialect.name == "sqlite":
            _driver(connection).execute(_SQLITE.delete_terms, (stored.pk,))
            _driver(connection).execute(_SQLITE_DELETE, (stored.pk,))
        else:
            raw.execute(connection, _PG_DELETE, (stored.pk, stored.pk))
        held_rows.drop(connection, self.kind, id_)
        return True

    def _insert_terms(self, connection: Connection, pk: int, values: IndexedValues) -> None:
        """SQLite: the terms in one executemany (PostgreSQL writes them with the entity)."""
        if values.terms:
            rows = [(pk, self.kind, path, value) for path, value in values.terms]
            _driver(connection).executemany(_SQLITE.insert_term, rows)

    # --- reads ------------------------------------------------------------------------------

    def get(
        self, connection: Connection, id_: str, *, for_update: bool = False
    ) -> StoredDocument | None:
        """The stored document (row-locked on PostgreSQL when `for_update`), or None.

        A row this writer transaction already holds is answered from `held_rows`, unread."""
        if "\x00" in id_:
            return None  # no id holds NUL, and PostgreSQL refuses it in a query
        held = held_rows.find(connection, self.kind, id_)
        if held is not None:
            return held
        row: Any
        if connection.dialect.name == "sqlite":
            row = _driver(connection).execute(_SQLITE.get, (self.kind, id_)).fetchone()
        else:
            sql = _POSTGRESQL.get_for_update if for_update else _POSTGRESQL.get
            row = raw.execute(connection, sql, (self.kind, id_)).fetchone()
        if row is None:
            return None
        stored = StoredDocument(row[0], row[1], row[2], row[3])
        if for_update:
            held_rows.hold(connection, self.kind, stored)
        return stored

    def list(
        self,
        connection: Connection,
        query: ListQuery,
        scope: tuple[Any, ...] = (),
        counted: bool = True,
    ) -> tuple[list[str], int]:
        """One page of documents (as JSON text) and the total count matching the filters.

        `scope` adds clauses of the caller's own (security's party scoping). Not `counted`,
        the total is only what the page shows (the console counts per state instead).
        """
        dialect = connection.dialect.name
        where = self._where(dialect, query, scope)
        order = [sort_expression(key, self.indexed, dialect) for key in query.sort]
        if not order and self._date_range(query):
            # Walk the (kind, date, pk) index in order: with `ORDER BY pk` PostgreSQL walks the
            # primary key instead and reads everything before the window (docs/performance.md).
            order = [entity.c.date]
        page = (
            select(entity.c.doc)
            .where(*where)
            .order_by(*order, entity.c.pk)
            .offset(query.offset)
            .limit(query.limit)
        )
        docs = list(connection.execute(page).scalars())
        if not counted or (query.offset == 0 and len(docs) < query.limit):
            total = query.offset + len(docs)
        else:
            total = connection.execute(select(func.count()).where(*where)).scalar_one()
        return docs, total

    def count_states(
        self,
        connection: Connection,
        query: ListQuery,
        scope: tuple[Any, ...] = (),
        states: Sequence[str] = (),
    ) -> dict[str, int]:
        """How many documents match the filters, per value of the indexed state column (the
        console's counts per state).

        A date range alone (or no filter), given the kind's `states`, is one indexed count per
        state through `(kind, state, date)`: each counts index entries without reading them,
        where one grouped count read the state of every entry and sorted them
        (docs/console.md). Any other filter is one grouped count.
        """
        if states and not scope and self._date_range_only(query):
            return self._count_each_state(connection, query, states)
        where = self._where(connection.dialect.name, query, scope)
        state: Any = entity.c.state
        lookup = self._attributes[2]
        if lookup is not None and any(c.attribute == lookup for c in query.conditions):
            # An externalId finds a handful of rows through (kind, lookup, pk); grouping by the
            # bare column makes SQLite walk (kind, state, pk) over the whole kind instead.
            state = state.concat("")
        counted = select(state, func.count()).where(*where).group_by(state)
        return {str(value): int(n) for value, n in connection.execute(counted) if value is not None}

    def _count_each_state(
        self, connection: Connection, query: ListQuery, states: Sequence[str]
    ) -> dict[str, int]:
        """Driver SQL (a Core statement of one select per state cost more to build than to
        run): `SELECT n, count(*) ... state = ? AND date >= ? ...` per state, in one UNION."""
        sqlite = connection.dialect.name == "sqlite"
        mark = "?" if sqlite else "%s"
        ranges = "".join(f' AND "date" {_RANGE_SQL[c.op]} {mark}' for c in query.conditions)
        values = [str(c.values[0]) for c in query.conditions]
        one = f"SELECT {{n}}, count(*) FROM entity WHERE kind = {mark} AND state = {mark}{ranges}"
        sql = " UNION ALL ".join(one.format(n=n) for n in range(len(states)))
        parameters = tuple(p for state in states for p in (self.kind, state, *values))
        if sqlite:
            rows = _driver(connection).execute(sql, parameters).fetchall()
        else:
            rows = raw.execute(connection, sql, parameters).fetchall()
        return {states[int(n)]: int(count) for n, count in rows if count}

    def _date_range_only(self, query: ListQuery) -> bool:
        """No filter but a range of the date column (or none at all: the whole kind)."""
        date = self._attributes[1]
        return (
            date is not None
            and not query.alternatives
            and all(c.attribute == date and c.op in RANGE_OPERATORS for c in query.conditions)
        )

    def _where(self, dialect: str, query: ListQuery, scope: tuple[Any, ...]) -> Sequence[Any]:
        where = [*scope, *(condition_clause(c, self.indexed, dialect) for c in query.conditions)]
        where += [any_of_clause(a, self.indexed, dialect) for a in query.alternatives]
        if not any(selects_by_term(c, self.indexed) for c in query.conditions):
            where.insert(0, entity.c.kind == self.kind)
        return where

    def _date_range(self, query: ListQuery) -> bool:
        date = self._attributes[1]
        return date is not None and any(
            c.attribute == date and c.op in RANGE_OPERATORS for c in query.conditions
        )


def _term_arrays(values: IndexedValues) -> tuple[list[str], list[str]]:
    """The terms' paths and values, as two arrays of one length."""
    return [path for path, _ in values.terms], [value for _, value in values.terms]


def _driver(connection: Connection) -> Any:
    """The DB-API connection under a SQLAlchemy one (same transaction)."""
    return connection.connection.dbapi_connection


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None
