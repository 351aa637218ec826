"""A write job, how its run is judged, and how its outcome reaches its caller: the pieces of
the writer thread (storage/database.py) that know nothing of its queue or its batches."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import Any

from psycopg import pq
from sqlalchemy import Connection

log = logging.getLogger(__name__)


@dataclass
class Pending:
    """A job waiting for the writer, and the future its caller waits on."""

    job: Callable[[Connection], Any]
    future: Future[Any]


class FailedAfterWritingError(Exception):
    """A job raised after changing rows: only a rollback can undo it."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def rows_changed(connection: Connection) -> int:
    """A counter that moves whenever rows change on this connection."""
    if connection.dialect.name == "sqlite":
        changes: int = connection.connection.dbapi_connection.total_changes  # type: ignore[union-attr]
        return changes
    writes: int = connection.info.get("writes", 0)
    return writes


def transaction_broken(connection: Connection) -> bool:
    """True when the database already rolled back or aborted the open transaction."""
    driver: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        return not driver.in_transaction
    return bool(driver.info.transaction_status == pq.TransactionStatus.INERROR)


def close_quietly(connection: Connection | None) -> None:
    """Close a writer connection that failed (or at the end); a failure to close is logged."""
    if connection is None:
        return
    try:
        connection.close()
    except Exception as exc:
        log.warning("closing the writer's connection failed: %s", exc)


def fail_unsettled(batch: list[Pending], error: Exception) -> None:
    """Answer `error` to each caller of the batch still waiting for its outcome."""
    for pending in batch:
        if not pending.future.done():
            settle(pending.future, False, error)


def settle(future: Future[Any], ok: bool, value: Any) -> None:
    """Hand a job's outcome to its caller; a caller that gave up (cancelled) is skipped.

    Setting a cancelled future raises, and raising here would kill the writer thread.
    """
    try:
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
    except InvalidStateError:
        log.debug("a write job's caller cancelled before its outcome arrived")
