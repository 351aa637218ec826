"""SQLite WAL checkpoints run on their own thread, not inside the writer's commits."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, insert

from cascade.storage.checkpoint import WRITER_AUTOCHECKPOINT_PAGES
from cascade.storage.database import Database
from cascade.storage.migrate import upgrade
from cascade.storage.tables import idempotency_key
from tests.waiting import until

ROWS, BODY = 500, 2000
FILLED = ROWS * BODY  # the bytes of the bodies `fill` writes


def fill(connection: Connection) -> None:
    rows = [
        {
            "scope": "test",
            "key": f"key-{n}",
            "request_hash": "0" * 64,
            "status": 201,
            "location": None,
            "body": "x" * BODY,
            "created_at": "2026-01-01T00:00:00.000Z",
        }
        for n in range(ROWS)
    ]
    connection.execute(insert(idempotency_key), rows)


def test_committed_pages_reach_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.db"
    upgrade(f"sqlite:///{path}")
    database = Database(f"sqlite:///{path}")
    try:
        autocheckpoint = database.write_sync(
            lambda c: c.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                "PRAGMA wal_autocheckpoint"
            ).fetchone()[0]
        )
        size_before = path.stat().st_size
        database.write_sync(fill)  # ~1 MB: far below the writer's own checkpoint threshold

        # Until every page is in: the file grows page by page while a checkpoint copies them.
        until(lambda: path.stat().st_size > size_before + FILLED, "the pages in the file")
    finally:
        database.close()

    assert autocheckpoint == WRITER_AUTOCHECKPOINT_PAGES
