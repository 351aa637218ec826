"""A writer transaction answers a get by id of a row it holds without reading it again, and
never answers from memory what another transaction may have changed since (storage/held_rows.py).

"Served from memory" is seen as the very StoredDocument object held: a read makes a new one.
"""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import Connection, create_engine, text

from cascade.apis.kinds import PRODUCT_ORDER
from cascade.bootstrap import Cascade
from cascade.repositories.repository import Repository
from cascade.storage import held_rows
from cascade.storage.documents import StoredDocument

BODY = {"productOrderItem": [{"id": "1", "action": "add"}]}


def _orders(cascade: Cascade) -> Repository:
    return cascade.repositories[PRODUCT_ORDER]


def _new_order(cascade: Cascade) -> str:
    return cascade.database.write_sync(lambda c: _orders(cascade).insert(c, BODY).id)


def _change_elsewhere(cascade: Cascade, order_id: str, note: str) -> None:
    """Another connection, another transaction, committed: a client's change of the order."""
    engine = create_engine(cascade.database.url)
    try:
        with engine.begin() as connection:
            doc = connection.execute(
                text("SELECT doc FROM entity WHERE kind = :k AND id = :i"),
                {"k": PRODUCT_ORDER.name, "i": order_id},
            ).scalar_one()
            changed = msgspec.json.encode({**msgspec.json.decode(doc), "description": note})
            connection.execute(
                text(
                    "UPDATE entity SET doc = :d, version = version + 1 WHERE kind = :k AND id = :i"
                ),
                {"d": changed.decode(), "k": PRODUCT_ORDER.name, "i": order_id},
            )
    finally:
        engine.dispose()


def test_a_row_loaded_for_update_is_read_once(cascade: Cascade) -> None:
    order_id = _new_order(cascade)
    orders = _orders(cascade)

    def job(connection: Connection) -> tuple[StoredDocument | None, ...]:
        loaded = orders.load(connection, order_id)
        assert loaded is not None
        return (
            loaded.stored,
            orders.get(connection, order_id),
            orders.get(connection, order_id, for_update=True),
        )

    loaded, plain, locked = cascade.database.write_sync(job)
    assert plain is loaded and locked is loaded


def test_what_the_transaction_wrote_is_what_it_reads_back(cascade: Cascade) -> None:
    orders = _orders(cascade)

    def job(connection: Connection) -> tuple[int, int, str]:
        saved = orders.insert(connection, BODY)
        loaded = orders.load(connection, saved.id)
        assert loaded is not None and loaded.stored.version == 1
        loaded.document["description"] = "changed"
        version = orders.save(connection, loaded)
        again = orders.get(connection, saved.id)
        assert again is not None
        return version, again.version, msgspec.json.decode(again.doc)["description"]

    assert cascade.database.write_sync(job) == (2, 2, "changed")


def test_a_row_read_without_a_lock_is_not_kept(cascade: Cascade) -> None:
    """Under READ COMMITTED a second plain read must see what another transaction committed
    in between: such a row is read each time, on both databases."""
    order_id = _new_order(cascade)
    orders = _orders(cascade)

    def job(connection: Connection) -> bool:
        first = orders.get(connection, order_id)
        second = orders.get(connection, order_id)
        kept = held_rows.find(connection, PRODUCT_ORDER.name, order_id)
        return first is not second and kept is None

    assert cascade.database.write_sync(job)


def _on_postgresql(cascade: Cascade, database_url: str) -> tuple[str, Repository]:
    """A new order and the orders' repository; skips on SQLite, whose writer holds the
    database's write lock: no other transaction commits or writes during its transaction."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's writer holds the write lock: nobody else writes meanwhile")
    return _new_order(cascade), _orders(cascade)


def test_a_change_committed_between_two_plain_reads_is_seen(
    cascade: Cascade, database_url: str
) -> None:
    order_id, orders = _on_postgresql(cascade, database_url)

    def job(connection: Connection) -> tuple[str | None, str | None]:
        before = orders.peek(connection, order_id)
        _change_elsewhere(cascade, order_id, "changed elsewhere")
        after = orders.peek(connection, order_id)
        assert before is not None and after is not None
        return before.get("description"), after.get("description")

    assert cascade.database.write_sync(job) == (None, "changed elsewhere")


def test_a_held_row_cannot_change_under_the_transaction(
    cascade: Cascade, database_url: str
) -> None:
    """Why serving a held row from memory is right: nobody else can write it meanwhile."""
    order_id, orders = _on_postgresql(cascade, database_url)

    def job(connection: Connection) -> str:
        assert orders.load(connection, order_id) is not None
        engine = create_engine(cascade.database.url)
        try:
            with engine.begin() as other:
                other.execute(text("SET LOCAL lock_timeout = '50ms'"))
                other.execute(
                    text("UPDATE entity SET version = version + 1 WHERE kind = :k AND id = :i"),
                    {"k": PRODUCT_ORDER.name, "i": order_id},
                )
        except Exception as exc:  # the lock timeout: the other writer waits for this one
            return type(exc).__name__
        finally:
            engine.dispose()
        return "changed"

    assert cascade.database.write_sync(job) == "OperationalError"


def test_the_next_transaction_reads_again(cascade: Cascade) -> None:
    """What a transaction held is forgotten at its end: the lock went with it."""
    order_id = _new_order(cascade)
    orders = _orders(cascade)
    cascade.database.write_sync(lambda c: orders.load(c, order_id))
    _change_elsewhere(cascade, order_id, "changed after the commit")

    def job(connection: Connection) -> str | None:
        seen = orders.peek(connection, order_id)
        assert seen is not None
        return seen.get("description")

    assert cascade.database.write_sync(job) == "changed after the commit"


def test_a_savepoint_rolled_back_forgets_what_it_wrote(cascade: Cascade) -> None:
    order_id = _new_order(cascade)
    orders = _orders(cascade)

    def job(connection: Connection) -> tuple[int, str | None]:
        try:
            with connection.begin_nested():
                loaded = orders.load(connection, order_id)
                assert loaded is not None
                loaded.document["description"] = "undone"
                orders.save(connection, loaded)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        stored = orders.get(connection, order_id)
        assert stored is not None
        return stored.version, msgspec.json.decode(stored.doc).get("description")

    assert cascade.database.write_sync(job) == (1, None)


def test_a_deleted_row_is_not_served(cascade: Cascade) -> None:
    order_id = _new_order(cascade)
    orders = _orders(cascade)

    def job(connection: Connection) -> StoredDocument | None:
        loaded = orders.load(connection, order_id)
        assert loaded is not None
        orders.delete(connection, loaded.stored)
        return orders.get(connection, order_id)

    assert cascade.database.write_sync(job) is None


def test_readers_keep_nothing(cascade: Cascade) -> None:
    order_id = _new_order(cascade)
    orders = _orders(cascade)

    def job(connection: Connection) -> bool:
        first = orders.get(connection, order_id, for_update=True)
        return first is not orders.get(connection, order_id)

    assert cascade.database.read_sync(job)
