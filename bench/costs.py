"""What a run costs, per order: statements, round trips, server-side and client-side CPU.

Read from outside the server, before and after the run, on this machine:

- statements: `pg_stat_statements` calls in the bench's database (BEGIN and COMMIT included),
  when the cluster preloads the extension (`shared_preload_libraries`); transactions from
  `pg_stat_database` always;
- round trips: the voluntary context switches of the cluster's processes
  (`/proc/PID/status`): a backend sleeps once per round trip, waiting for the client's next
  message (a pipeline's statements arrive together), and otherwise only for a lock, a WAL
  flush or a disk read (rare with the data in shared buffers): an upper bound;
- server CPU: user + system time of the cluster's processes, those that ended included (the
  postmaster's children time); client CPU: the same for the processes the bench started.

On SQLite only the client's CPU; the rest needs the PostgreSQL cluster on this machine (its
processes in /proc).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sample:
    statements: int | None
    transactions: int
    deadlocks: int
    round_trips: int | None
    server_cpu_s: float | None
    client_cpu_s: float


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _cpu_s(pid: int, *, children: bool) -> float:
    """utime + stime of `pid` (and of its children that ended, with `children`), in seconds."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICK


def _sleeps(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[int]:
    """`root` and every live descendant."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _tree_cpu_s(root: int) -> float:
    pids = _tree(root)
    return _cpu_s(root, children=True) + sum(_cpu_s(p, children=False) for p in pids[1:])


class Costs:
    """Samples a PostgreSQL database's counters and the CPU of the bench's processes."""

    def __init__(self, url: str, clients: list[int]) -> None:
        self.clients = clients
        self.postmaster: int | None = None
        self.statements = False
        self.postgres = url.startswith("postgresql")
        if not self.postgres:  # SQLite: the client's CPU only
            return
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            self.database = str(connection.execute("SELECT current_database()").fetchone()[0])  # type: ignore[index]
            backend = int(connection.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
            try:
                connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                connection.execute("SELECT count(*) FROM pg_stat_statements")
                self.statements = True
            except psycopg.Error:
                self.statements = False
        fields = _stat(backend)
        self.postmaster = None if fields is None else int(fields[1])

    def _serves(self, pid: int) -> bool:
        """Whether `pid` is a backend connected to the bench's database."""
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return False
        return f" {self.database} " in title

    def sample(self) -> Sample:
        client_cpu = sum(_tree_cpu_s(pid) for pid in self.clients)
        if not self.postgres:
            return Sample(None, 0, 0, None, None, client_cpu)
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            row = connection.execute(
                "SELECT xact_commit + xact_rollback, deadlocks FROM pg_stat_database"
                " WHERE datname = current_database()"
            ).fetchone()
            assert row is not None
            statements = None
            if self.statements:
                calls = connection.execute(
                    "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s"
                    " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()"
                ).fetchone()
                statements = None if calls is None else int(calls[0])
        server_cpu = round_trips = None
        if self.postmaster is not None:
            server_cpu = _tree_cpu_s(self.postmaster)
            round_trips = sum(_sleeps(p) for p in _tree(self.postmaster) if self._serves(p))
        return Sample(statements, int(row[0]), int(row[1]), round_trips, server_cpu, client_cpu)


def report(before: Sample, after: Sample, orders: int, *, postgres: bool) -> None:
    """Print the per-order costs between two samples."""
    if orders <= 0:
        return
    if not postgres:
        client_ms = (after.client_cpu_s - before.client_cpu_s) * 1000 / orders
        print(f"per order: client CPU {client_ms:.1f} ms")
        return

    def per(a: float | None, b: float | None, scale: float = 1.0, unit: str = "") -> str:
        if a is None or b is None:
            return "n/a"
        return f"{(b - a) * scale / orders:.1f}{unit}"

    print(
        f"per order: statements {per(before.statements, after.statements)}, "
        f"round trips {per(before.round_trips, after.round_trips)}, "
        f"transactions {per(before.transactions, after.transactions)}, "
        f"server CPU {per(before.server_cpu_s, after.server_cpu_s, 1000, ' ms')}, "
        f"client CPU {per(before.client_cpu_s, after.client_cpu_s, 1000, ' ms')}"
    )
    print(f"deadlocks detected during the run: {after.deadlocks - before.deadlocks}")
