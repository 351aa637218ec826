"""A young PostgreSQL database gets statistics as it grows, so that the writer's prepared
statements are planned on the unique index, not on whichever index an empty table offered
first (storage/first_statistics.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text

from cascade.apis.kinds import PRODUCT_ORDER
from cascade.storage.database import Database
from cascade.storage.documents import DocumentTable
from cascade.storage.first_statistics import FIRST_PAGES, needs_analyze
from cascade.storage.migrate import upgrade
from tests.conftest import POSTGRES_ENV, fresh_postgres_database
from tests.waiting import until

GET_BY_ID = "SELECT pk, id, version, doc FROM entity WHERE kind = $1 AND id = $2"


@pytest.fixture
def young_database() -> Iterator[str]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = fresh_postgres_database(os.environ[POSTGRES_ENV])
    upgrade(url)
    yield url


def _generic_plan(url: str) -> str:
    """The plan PostgreSQL caches for the writer's get by id once it stops replanning it."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"PREPARE get_by_id(text, text) AS {GET_BY_ID}")
            connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            rows = connection.exec_driver_sql("EXPLAIN EXECUTE get_by_id('a', 'b')").all()
            return "\n".join(str(row[0]) for row in rows)
    finally:
        engine.dispose()


def _analysed_by_hand(url: str) -> bool:
    """`last_analyze` is an explicit ANALYZE's; autovacuum's sets `last_autoanalyze`."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            sql = "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'entity'"
            return connection.execute(text(sql)).scalar() is not None
    finally:
        engine.dispose()


def test_a_growing_entity_table_is_analysed_and_read_by_id_through_its_unique_index(
    young_database: str,
) -> None:
    # Planned on the empty table, PostgreSQL 15 picks `(kind, state, date)` and filters on id.
    database = Database(young_database)
    table = DocumentTable(PRODUCT_ORDER.name, state="state")

    def insert_many(connection: Connection) -> None:
        for number in range(2_000):  # about 20 pages
            document = {"id": f"po-{number}", "state": "acknowledged"}
            values = table.indexed_values(document)
            table.insert(connection, document["id"], json.dumps(document), values, "2026")

    try:
        database.write_sync(insert_many)
        until(lambda: _analysed_by_hand(young_database), "entity analysed by Cascade")
    finally:
        database.close()
    assert "uq_entity_kind_id" in _generic_plan(young_database)


@pytest.mark.parametrize(
    ("analysed", "pages", "expected"),
    [
        (0, FIRST_PAGES - 1, False),  # too small for any plan to matter
        (0, FIRST_PAGES, True),  # never analysed
        (FIRST_PAGES, 2 * FIRST_PAGES - 1, False),
        (FIRST_PAGES, 2 * FIRST_PAGES, True),  # doubled since
    ],
)
def test_analysed_each_time_the_table_doubles(analysed: int, pages: int, expected: bool) -> None:
    assert needs_analyze(analysed, pages) is expected
