"""The documents a writer transaction holds, kept so that reading one again costs no statement.

A step loads its order `FOR UPDATE`, writes it, reads it again through another helper, and
so on: about a quarter of an order's statements on PostgreSQL were gets by id of a row the
transaction had already read (docs/performance.md). Only rows this transaction holds are
kept: read `FOR UPDATE`, inserted or replaced by it. Under READ COMMITTED no other
transaction can change or delete such a row before this one ends (it holds the row lock, or
the row is its own uncommitted insert), so the database would answer exactly what is kept. A
row only read without a lock is never kept: another transaction may commit a change to it
between two reads, and the second read must see it.

The writer turns the cache on for its transaction (`open`, `close`, database.py); a
savepoint rolled back forgets everything (its writes are undone and the row locks it took
are released). Reader connections never keep anything. SQLite follows the same rule (its
writer holds the database's write lock, so it would be right there for every row).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from cascade.storage.documents import StoredDocument

_KEY = "held_rows"


def open_(connection: Connection) -> None:
    """Keep what the transaction about to start on `connection` holds."""
    connection.info[_KEY] = {}


def close(connection: Connection) -> None:
    """The transaction ended: keep nothing more."""
    connection.info.pop(_KEY, None)


def forget_all(connection: Connection, *_event: Any) -> None:
    """A savepoint rolled back: what it wrote and locked is no longer held."""
    rows = connection.info.get(_KEY)
    if rows is not None:
        rows.clear()


def find(connection: Connection, kind: str, id_: str) -> StoredDocument | None:
    rows: dict[tuple[str, str], StoredDocument] | None = connection.info.get(_KEY)
    return None if rows is None else rows.get((kind, id_))


def hold(connection: Connection, kind: str, stored: StoredDocument) -> None:
    """`stored` is locked by this transaction (read FOR UPDATE, inserted or replaced)."""
    rows = connection.info.get(_KEY)
    if rows is not None:
        rows[(kind, stored.id)] = stored


def drop(connection: Connection, kind: str, id_: str) -> None:
    rows = connection.info.get(_KEY)
    if rows is not None:
        rows.pop((kind, id_), None)
