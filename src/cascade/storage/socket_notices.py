"""Notices of committed entity events between the processes of one SQLite file.

The SQLite counterpart of storage/entity_notices.py (PostgreSQL's `pg_notify`): the same
payloads (`payloads`, `parse`: `[origin, [id, ...]]`, under MAX_PAYLOAD bytes), carried by
UNIX datagram sockets in a directory private to the database file
(`<tmp>/cascade-live-<hash of its resolved path>/`, mode 0700, owned by this user).

- A process that listens (a serving process's live pages, `SocketListener`) binds a socket
  named after its origin there, reads it on its event loop and relays other processes' ids to
  its feed; it removes its socket when it stops.
- Every process's `SocketNotifier` thread sends each payload to every socket of the directory
  but its own, without blocking: a socket whose owner is gone (ECONNREFUSED) is removed; a
  receiver that is full (EAGAIN, ENOBUFS) misses that notice, which its live pages' slow
  re-read covers, as a notice lost on PostgreSQL is. A `cascade worker` sends but binds no
  socket, so nobody sends to it.

Not available for an in-memory database or without AF_UNIX (`notice_directory` is None):
there the live pages re-read often instead (settings.console_live_reread).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import logging
import os
import socket
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from cascade.storage.entity_notices import payloads
from cascade.storage.notifier import CommitNotifier

log = logging.getLogger(__name__)
PATH_LIMIT = 107  # sun_path holds 108 bytes, its last a NUL
_FULL = {errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS}
_RECEIVE = 65_536


def notice_directory(database_file: str, origin_length: int = 32) -> Path | None:
    """The private directory of `database_file`'s sockets, made if need be (None: no socket
    transport here: no AF_UNIX, a path too long, or a directory that is not safely ours)."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    resolved = os.path.realpath(database_file)
    digest = hashlib.sha256(resolved.encode()).hexdigest()[:16]
    directory = Path(tempfile.gettempdir()) / f"cascade-live-{digest}"
    if len(os.fsencode(directory)) + 1 + origin_length > PATH_LIMIT:
        log.warning("no live notices between processes: %s is too long a path", directory)
        return None
    return _private(directory)


def _private(directory: Path) -> Path | None:
    """`directory`, made if need be, if it is a directory only this user may enter."""
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        found = os.lstat(directory)
    except OSError as exc:
        log.warning("no live notices between processes: %s (%s)", directory, exc)
        return None
    private = stat.S_ISDIR(found.st_mode) and stat.S_IMODE(found.st_mode) == 0o700
    if not private or found.st_uid != os.getuid():
        log.warning("no live notices between processes: %s is not private to us", directory)
        return None
    return directory


def remove_if_empty(directory: Path) -> None:
    """Remove the directory of a database's sockets once no process has one there."""
    with contextlib.suppress(OSError):  # another process's socket is still there
        directory.rmdir()


class SocketNotifier(CommitNotifier):
    """Sends the ids of committed transactions to the other processes' sockets."""

    def __init__(self, directory: Path, origin: str) -> None:
        self.directory = directory
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        super().__init__(origin)

    def close(self) -> None:
        super().close()
        self._socket.close()

    def deliver(self, ids: set[str]) -> None:
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:  # removed by the last process that closed: nobody listens
            return
        peers = [entry.path for entry in entries if entry.name != self.origin]
        if not peers:
            return
        datagrams = [payload.encode() for payload in payloads(self.origin, ids)]
        for peer in peers:
            for datagram in datagrams:
                if not self._send_one(peer, datagram):
                    break

    def _send_one(self, peer: str, datagram: bytes) -> bool:
        """Send to one peer; False when the peer is gone or full (its other payloads too)."""
        try:
            self._socket.sendto(datagram, peer)
        except ConnectionRefusedError:  # its process has gone without removing it
            with contextlib.suppress(FileNotFoundError):
                os.unlink(peer)
            return False
        except FileNotFoundError:  # removed as we listed the directory
            return False
        except OSError as exc:
            if exc.errno not in _FULL:
                raise
            log.debug("a live listener is full; its net re-read covers the notice")
            return False
        return True


class SocketListener:
    """Binds this process's socket and hands each datagram to `heard` on the event loop (the
    same `start`/`stop` as background.notices.Notices)."""

    def __init__(self, directory: Path, origin: str, heard: Callable[[str], None]) -> None:
        self.path = directory / origin
        self.heard = heard
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def running(self) -> bool:
        return self._socket is not None

    async def start(self) -> None:
        if self._socket is not None:
            return
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.setblocking(False)
        # The directory again: the last process to close removes it when it is empty.
        try:
            if _private(self.path.parent) is None:
                raise PermissionError(f"{self.path.parent} is not private")
            sock.bind(os.fspath(self.path))
        except OSError as exc:  # the pages' net re-read is all they have then
            log.warning("not listening for other processes' live notices: %s", exc)
            sock.close()
            return
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._read)
        self._socket = sock

    async def stop(self) -> None:
        sock, loop = self._socket, self._loop
        if sock is None or loop is not asyncio.get_running_loop():
            return  # started by another event loop (another lifespan of one app): it stops it
        self._socket = None
        loop.remove_reader(sock.fileno())
        sock.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def _read(self) -> None:
        """Every datagram waiting, each handed to `heard`."""
        sock = self._socket
        while sock is not None:
            try:
                datagram = sock.recv(_RECEIVE)
            except (BlockingIOError, InterruptedError):
                return
            self.heard(datagram.decode(errors="replace"))
