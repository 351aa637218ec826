"""The writer thread survives callers that give up on their jobs, and a database it cannot
reach: each caller gets the error, and the thread connects again for the next batch."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from cascade.bootstrap import Cascade
from cascade.storage.database import Database
from cascade.storage.tables import work_item
from tests.conftest import POSTGRES_ENV
from tests.waiting import PATIENCE_S


def test_a_cancelled_caller_does_not_stop_the_writer(cascade: Cascade) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(connection: Connection) -> int:
        started.set()
        release.wait(5)
        return 1

    future = cascade.database.submit_write(slow)
    assert started.wait(5)
    assert future.cancel()  # what asyncio does when the awaiting request is cancelled
    release.set()
    count = cascade.database.write_sync(
        lambda c: c.execute(select(func.count()).select_from(work_item)).scalar_one()
    )
    assert count == 0  # the writer served the next job


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def unreachable(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A database URL that cannot be connected to yet, and what makes it reachable."""
    if request.param == "sqlite":
        path = tmp_path / "later.db"
        path.mkdir()  # a directory where the file should be: connecting fails
        return f"sqlite:///{path}", path.rmdir
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = make_url(server).set(database=f"cascade_test_{uuid.uuid4().hex[:12]}")
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)

    def create() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{url.database}"')

    return url.render_as_string(hide_password=False), create


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_writer_that_cannot_connect_answers_the_error_and_connects_later(
    unreachable: tuple[str, Callable[[], None]], caplog: pytest.LogCaptureFixture
) -> None:
    url, make_reachable = unreachable
    database = Database(url, readers=1)
    try:
        with pytest.raises(OperationalError):
            # A bound, not a wait: a writer thread that died would leave this for ever.
            database.submit_write(_one).result(timeout=PATIENCE_S)
        assert "the writer cannot connect to the database" in caplog.text
        make_reachable()
        assert database.write_sync(_one) == 1  # the same writer thread, connected now
    finally:
        database.close()


def _one(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SELECT 1").scalar_one())
