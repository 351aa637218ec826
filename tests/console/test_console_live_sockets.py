"""The SQLite transport of the live pages' notices (storage/socket_notices.py): what one
process's Database commits reaches another's feed on the same file through a UNIX datagram
socket; its own socket is skipped, a stale one removed, a full one skipped, a rollback never
sent. SQLite only: PostgreSQL's notices are tested in test_console_live_feed.py."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import stat
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from cascade.settings import Settings
from cascade.storage.committed import Listener, touch
from cascade.storage.database import Database
from cascade.storage.entity_notices import relay
from cascade.storage.socket_notices import SocketListener

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no AF_UNIX here")
PATIENCE_S = 120.0


class BoomError(Exception):
    pass


def marking(*ids: str) -> Callable[[Any], None]:
    """A write job that changes a row and marks `ids` as having events."""

    def job(connection: Any) -> None:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES ('x')")
        for id_ in ids:
            touch(connection, id_)

    return job


def failing(*ids: str) -> Callable[[Any], None]:
    def job(connection: Any) -> None:
        marking(*ids)(connection)
        raise BoomError

    return job


@asynccontextmanager
async def two_processes(tmp_path: Path) -> AsyncIterator[tuple[Database, Database, Listener]]:
    """A sending Database and a listening one on one file, with a listener on the second's
    feed (its socket bound, as a serving process's)."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    sender, receiver = Database(url, readers=1), Database(url, readers=1)
    assert receiver.notice_directory is not None and receiver.notices_cross_processes
    for left in os.scandir(receiver.notice_directory):  # by an earlier run in this tmp_path
        os.unlink(left.path)
    socket_ = SocketListener(
        receiver.notice_directory, receiver.origin, relay(receiver.committed, receiver.origin)
    )
    await socket_.start()
    listener = receiver.committed.subscribe()
    try:
        yield sender, receiver, listener
    finally:
        listener.close()
        await socket_.stop()
        sender.close()
        receiver.close()


async def until_heard(listener: Listener, wanted: str) -> set[str]:
    """Every id heard until `wanted` has been."""
    heard: set[str] = set()
    while wanted not in heard:
        got = await listener.wait(PATIENCE_S)
        assert got is not None, f"{wanted} not heard"
        heard |= got
    return heard


def test_a_commit_reaches_the_other_process_and_a_rollback_does_not(tmp_path: Path) -> None:
    async def scenario() -> set[str]:
        async with two_processes(tmp_path) as (sender, _receiver, listener):
            with pytest.raises(BoomError):
                await sender.write(failing("rolled-back"))
            await sender.write(marking("committed"))
            return await until_heard(listener, "committed")

    assert asyncio.run(scenario()) == {"committed"}


def test_the_directory_is_private_and_a_socket_goes_with_its_listener(tmp_path: Path) -> None:
    async def scenario() -> tuple[Path, list[str], list[str]]:
        async with two_processes(tmp_path) as (sender, receiver, _listener):
            directory = receiver.notice_directory
            assert directory is not None and sender.notice_directory == directory
            bound = sorted(os.listdir(directory))
        return directory, bound, sorted(os.listdir(directory)) if directory.exists() else []

    directory, bound, after = asyncio.run(scenario())
    assert len(str(directory / ("x" * 32))) < 108
    assert bound and after == [] and not directory.exists()  # the last one out removed it


def test_own_socket_skipped_stale_removed_full_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "cascade.storage.socket_notices")

    async def scenario() -> tuple[bytes | None, bool, bool, set[str]]:
        async with two_processes(tmp_path) as (sender, _receiver, listener):
            directory = sender.notice_directory
            assert directory is not None
            own = _bound(directory / sender.origin)  # as if the sender listened too
            dead, busy = directory / uuid.uuid4().hex, directory / uuid.uuid4().hex
            stale = _bound(dead)
            stale.close()  # its process died without removing it
            full = _bound(busy)  # never read, and full from the start
            _fill(full, busy)
            for n in range(40):  # each waits for its commit, none for a receiver
                await sender.write(marking(f"order-{n}"))
            heard = await until_heard(listener, "order-39")
            mine = _pending(own)
            gone, kept = not dead.exists(), busy.exists()
            own.close()
            full.close()
            os.unlink(directory / sender.origin)
            os.unlink(busy)
            return mine, gone, kept, heard

    mine, gone, kept, heard = asyncio.run(scenario())
    assert mine is None  # the sender never sends to its own socket
    assert gone and kept
    assert "a live listener is full" in caplog.text  # skipped, not waited for
    assert heard == {f"order-{n}" for n in range(40)}


def test_a_lone_database_sends_to_nobody_and_settings_follow_the_transport(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'alone.db'}", readers=1)
    try:
        database.write_sync(marking("alone"))
        directory = database.notice_directory
        assert directory is not None
        assert stat.S_IMODE(os.lstat(directory).st_mode) == 0o700
    finally:
        database.close()
    memory = Database("sqlite://", readers=1)
    try:
        assert memory.notice_directory is None and not memory.notices_cross_processes
    finally:
        memory.close()
    several = Settings(database_url="sqlite:///x.db", processes=2)
    assert several.console_live_reread_s(True) == several.console_live_net_s
    assert several.console_live_reread_s(False) == several.console_live_fallback_s
    assert Settings(database_url="sqlite://").console_live_reread_s(False) == 10.0


def _bound(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sock.bind(os.fspath(path))
    return sock


def _fill(sock: socket.socket, path: Path) -> None:
    """Send to `sock` until its queue refuses more."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        while True:
            try:
                sender.sendto(b"filler", os.fspath(path))
            except BlockingIOError:
                return


def _pending(sock: socket.socket) -> bytes | None:
    try:
        return sock.recv(65_536)
    except BlockingIOError:
        return None
