"""Serving HTTP from one process, or from several that share one listening socket.

One Python process keeps about one core busy (its GIL). With `workers > 1` the command's
process replaces itself (exec) with a small supervisor: it binds the socket and starts that
many worker processes, which inherit it. Each worker builds its own Cascade with
`cascade.bootstrap.build` (database handle, services, controllers) and serves the socket with
uvicorn. They coordinate only through the database: on SQLite each has its own group-commit
writer and the write lock file queues their transactions; on PostgreSQL row locks do. The
supervisor restarts a worker that dies; a worker whose supervisor died (even by SIGKILL)
stops itself.

    python -m cascade.serving supervise N   # the supervisor (settings in the environment)
    python -m cascade.serving worker FD PID  # one worker: the socket's fd, the supervisor's pid
"""

from __future__ import annotations

import base64
import ctypes
import ctypes.util
import dataclasses
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import NoReturn

from cascade.settings import Settings, configure_logging

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's (telemetry/metrics.py)

log = logging.getLogger(__name__)

SETTINGS_ENV = "CASCADE_SERVING_SETTINGS"
BACKLOG = 2048
RESTART_PAUSE_S = 1.0  # before starting again a worker that died
STOP_GRACE_S = 20.0  # for workers to finish their requests on shutdown
ORPHAN_CHECK_S = 0.5
# A thread waiting for the GIL gets it after at most this long (Python's default: 5 ms). The
# writer thread holds the database's write lock while it runs its jobs; each SQL statement
# gives the GIL up, and getting it back from the event loop took up to 5 ms a time: with two
# processes, creates fell from 1,981/s (0.5 ms) to 982/s (docs/performance.md).
SWITCH_INTERVAL_S = 0.0005
TRIM_EVERY_S = 10.0


def serve_app(settings: Settings, *, sock: socket.socket | None = None) -> None:
    """Build Cascade and serve it with uvicorn in this process until a signal stops it."""
    import uvicorn

    from cascade.bootstrap import build
    from cascade.telemetry import tracing

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    _start_memory_trimmer()
    tracing.configure_from_environment()  # off unless OTEL_* variables ask for it
    cascade = build(settings)
    config = uvicorn.Config(
        cascade.app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through the process's logging (JSON for a server)
        access_log=False,
        backlog=BACKLOG,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
    finally:
        cascade.close()
        tracing.shutdown()


def serve_workers(settings: Settings, workers: int) -> NoReturn:
    """Replace this process with the supervisor of `workers` serving processes.

    The reader threads are shared out: each worker gets `readers // workers` (at least 2).
    """
    readers = max(2, settings.readers // workers)
    settings = dataclasses.replace(settings, readers=readers, processes=workers)
    env = {**os.environ, SETTINGS_ENV: _encode(settings)}
    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "cascade.serving", "supervise", str(workers)]
    os.execve(sys.executable, command, env)


def supervise(settings: Settings, workers: int) -> None:
    """Start the workers on one socket, restart any that dies, stop them on SIGINT/SIGTERM."""
    sock = bind(settings.host, settings.port)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stopping.set())
    # The workers' counters, summed whichever worker a scrape reaches (telemetry/metrics.py).
    counters = os.environ.get(MULTIPROCESS_DIR) or tempfile.mkdtemp(prefix="cascade-metrics-")
    env = {**os.environ, SETTINGS_ENV: _encode(settings), MULTIPROCESS_DIR: counters}
    command = [sys.executable, "-m", "cascade.serving", "worker", str(sock.fileno())]
    command.append(str(os.getpid()))

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env=env, pass_fds=(sock.fileno(),))

    processes = [start() for _ in range(workers)]
    try:
        while not stopping.wait(0.2):
            for number, process in enumerate(processes):
                if process.poll() is None:
                    continue
                log.warning(
                    "worker %d exited with %s; starting it again", number, process.returncode
                )
                if not stopping.wait(RESTART_PAUSE_S):
                    processes[number] = start()
    finally:
        _stop(processes)
        sock.close()
        if counters != os.environ.get(MULTIPROCESS_DIR):
            shutil.rmtree(counters, ignore_errors=True)


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def work(settings: Settings, fd: int, supervisor: int) -> None:
    """One worker: serve the inherited socket until told to stop or orphaned."""
    threading.Thread(target=_stop_when_orphaned, args=(supervisor,), daemon=True).start()
    serve_app(settings, sock=socket.socket(fileno=fd))


def _stop_when_orphaned(supervisor: int) -> None:
    """SIGTERM this worker (uvicorn then shuts down cleanly) once its supervisor is gone."""
    while os.getppid() == supervisor:
        time.sleep(ORPHAN_CHECK_S)
    os.kill(os.getpid(), signal.SIGTERM)


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_memory_trimmer() -> None:
    """Hand memory Python freed back to the system now and then (glibc keeps it otherwise).

    Compiling a swagger document's validator briefly takes ~45 MB; once freed, glibc kept
    about 30 MB of it in each process until `malloc_trim`.
    """
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return

    def loop() -> None:
        while True:
            time.sleep(TRIM_EVERY_S)
            trim(0)

    threading.Thread(target=loop, name="cascade-trim", daemon=True).start()


def _encode(settings: Settings) -> str:
    return base64.b64encode(pickle.dumps(settings)).decode()


def _decode(text: str) -> Settings:
    settings = pickle.loads(base64.b64decode(text))  # written by this module, in the parent
    if not isinstance(settings, Settings):
        raise TypeError(f"{SETTINGS_ENV} does not hold Settings")
    return settings


def main(argv: list[str]) -> None:
    settings = _decode(os.environ.pop(SETTINGS_ENV))
    configure_logging(settings)  # the supervisor's lines too (JSON for a server)
    if argv[:1] == ["supervise"] and len(argv) == 2:
        supervise(settings, int(argv[1]))
    elif argv[:1] == ["worker"] and len(argv) == 3:
        work(settings, int(argv[1]), int(argv[2]))
    else:
        raise SystemExit("usage: python -m cascade.serving (supervise N | worker FD PID)")


if __name__ == "__main__":
    main(sys.argv[1:])
