"""A lock file that queues the write transactions of several processes on one SQLite file.

SQLite lets one connection write at a time. A second process's `BEGIN IMMEDIATE` gets
SQLITE_BUSY and its busy handler sleeps and retries (1, 2, 5, ... up to 100 ms): meanwhile
the first process commits and takes the lock again, so with two serving processes one writer
starved for seconds (create p99 6.8 s). Waiting in `flock` instead puts the waiter to sleep
in the kernel until the holder releases, and wakes it then. The lock file sits beside the
database (`cascade.db.write-lock`); SQLite's own locking stays the guarantee of correctness.
"""

from __future__ import annotations

import os
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]


class WriteLock:
    """`with lock:` holds the database's write lock file (a no-op without a file or fcntl)."""

    def __init__(self, database_path: str | None) -> None:
        self._fd: int | None = None
        if database_path and fcntl is not None:
            self._fd = os.open(f"{database_path}.write-lock", os.O_RDWR | os.O_CREAT, 0o644)

    def __enter__(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
