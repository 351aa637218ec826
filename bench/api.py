"""Load benchmark of the TMF622 product-order API on a seeded database.

Seeds N product orders straight into the storage tables (the same rows the API writes:
documents shaped by `prepare_new`, indexed columns and `entity_term` rows from the
resource's `DocumentTable`), starts `cascade serve` on them, and measures with wrk:
order creation and retrieval by id at 64 connections, then the latency of four list
queries from one sequential client, then the server's resident memory.

    .venv/bin/python bench/api.py --reuse /var/tmp/cascade-bench/orders-1m.db
    .venv/bin/python bench/api.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench

A SQLite `--reuse PATH` is seeded once and copied to a scratch file for every run, so
the orders created by a run never pile up in it. With `--database URL` the run works on
that database itself and seeds only what is missing up to `--orders`.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url

from cascade.apis.v4.ordering import TMF622
from cascade.storage.documents import DocumentTable
from cascade.storage.migrate import upgrade
from cascade.storage.tables import entity, entity_term
from cascade.tmf.declarations import Kind
from cascade.tmf.documents import prepare_new
from cascade.tmf.instants import format_instant
from cascade.tmf.schema import Shape
from common import free_port

KIND = "productOrder"
COLLECTION = "/tmf-api/productOrderingManagement/v4/productOrder"
STATES: tuple[tuple[str, int], ...] = (
    ("acknowledged", 10),
    ("inProgress", 15),
    ("completed", 55),
    ("failed", 8),
    ("cancelled", 12),
)
PARTIES = 5000
OFFERINGS = tuple(f"po-{n:02d}" for n in range(24))
SPEEDS = ("100Mbps", "300Mbps", "500Mbps", "1Gbps")
YEAR = timedelta(days=365)
DATE_WINDOW = timedelta(days=3)
BATCH = 10_000  # orders one worker shapes at a time
COMMIT_EVERY = 100_000  # orders per seeding transaction
SAMPLE = 4000  # existing orders sampled for the read phases
TARGETS = {  # SQLite targets, in the unit of each figure
    "create_rps": (">=", 1500.0),
    "retrieve_rps": (">=", 3000.0),
    "list_p50_ms": ("<=", 20.0),
    "list_p99_ms": ("<=", 100.0),
    "memory_mb": ("<=", 300.0),
}


# --- the documents ------------------------------------------------------------------------


def order_body(rng: random.Random, external_id: str) -> dict[str, Any]:
    """A ~2 KB create body: three items with offering refs and characteristics, two parties."""
    customer = rng.randrange(PARTIES)
    items = []
    for number in range(1, 4):
        offering = OFFERINGS[rng.randrange(len(OFFERINGS))]
        items.append(
            {
                "id": str(number),
                "quantity": 1,
                "action": "add",
                "productOffering": {
                    "id": offering,
                    "href": f"/productOffering/{offering}",
                    "name": f"Offering {offering}",
                },
                "product": {
                    "productSpecification": {"id": f"ps-{offering}", "name": "Broadband"},
                    "productCharacteristic": [
                        {"name": "downloadSpeed", "value": rng.choice(SPEEDS)},
                        {"name": "installation", "value": rng.choice(("self", "technician"))},
                        {"name": "contractMonths", "value": rng.choice((12, 24, 36))},
                    ],
                },
                "itemPrice": [
                    {
                        "priceType": "recurring",
                        "recurringChargePeriod": "month",
                        "price": {
                            "taxIncludedAmount": {
                                "unit": "EUR",
                                "value": round(rng.uniform(5, 80), 2),
                            }
                        },
                    }
                ],
            }
        )
    return {
        "externalId": external_id,
        "description": "Residential broadband bundle",
        "category": "residential",
        "priority": "4",
        "requestedStartDate": "2026-12-01T09:00:00Z",
        "channel": [{"id": "web", "name": "Web shop"}],
        "relatedParty": [
            {
                "id": f"party-{customer:05d}",
                "name": "Customer",
                "role": "customer",
                "@referredType": "Individual",
            },
            {"id": f"contact-{customer:05d}", "role": "contact", "@referredType": "Individual"},
        ],
        "note": [{"text": "Please call before the technician visit."}],
        "productOrderItem": items,
    }


@dataclass(frozen=True)
class OrderModel:
    """What the server's repository holds for productOrder (see repositories/repository.py)."""

    kind: Kind
    shape: Shape
    table: DocumentTable


@functools.cache
def order_model() -> OrderModel:
    kind = TMF622.resource("productOrder").kind
    table = DocumentTable(
        kind.name, state=kind.state, date=kind.date, lookup=kind.key, terms=kind.terms
    )
    return OrderModel(kind, TMF622.spec.shape(kind.entity), table)


@dataclass(frozen=True)
class BatchSpec:
    first: int  # order number of the first order (externalId BENCH-<number>)
    count: int
    total: int  # orders the full data set has (spreads the dates)
    first_pk: int
    year_start: float  # epoch seconds
    seed: int
    base_url: str


EntityRow = tuple[int, str, str, int, str | None, str | None, str | None, str, str]
TermRow = tuple[int, str, str, str]


@dataclass
class Batch:
    entities: list[EntityRow]
    terms: list[TermRow]
    first_date: str = ""
    last_date: str = ""


def make_batch(spec: BatchSpec) -> Batch:
    """Shape `spec.count` orders exactly as the API's create (then a PATCH of state) would."""
    model = order_model()
    rng = random.Random(spec.seed * 1_000_003 + spec.first)
    states = [s for s, _ in STATES]
    weights = [w for _, w in STATES]
    step = YEAR.total_seconds() / spec.total
    batch = Batch([], [])
    for offset in range(spec.count):
        number = spec.first + offset
        id_ = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        moment = datetime.fromtimestamp(spec.year_start + (number + rng.random()) * step, UTC)
        instant = format_instant(moment)
        document = prepare_new(
            model.kind,
            order_body(rng, f"BENCH-{number:09d}"),
            id_=id_,
            href=f"{spec.base_url}{COLLECTION}/{id_}",
            now=instant,
            shape=model.shape,
        )
        state = rng.choices(states, weights)[0]
        document["state"] = state
        for item in document["productOrderItem"]:
            item["state"] = state
        values = model.table.indexed_values(document)
        pk = spec.first_pk + offset
        text = msgspec.json.encode(document).decode()
        batch.entities.append(
            (pk, KIND, id_, 1, values.state, values.date, values.lookup, instant, text)
        )
        batch.terms.extend((pk, KIND, path, value) for path, value in values.terms)
        if offset == 0:
            batch.first_date = instant
        batch.last_date = instant
    return batch


EXTERNAL_ID_MARKER = "@@EXTERNAL_ID@@"


def create_body_parts(
    shape: Callable[[dict[str, Any]], dict[str, Any]] = lambda body: body,
) -> tuple[str, str]:
    """The wrk POST body split around its externalId value (the Lua script fills it in);
    `shape` turns the v4 body into another version's."""
    body = shape(order_body(random.Random(7), EXTERNAL_ID_MARKER))
    text = msgspec.json.encode(body).decode()
    head, tail = text.split(EXTERNAL_ID_MARKER)
    return head, tail


# --- seeding ------------------------------------------------------------------------------

ENTITY_COLUMNS = "pk, kind, id, version, state, date, lookup, created_at, doc"
TERM_COLUMNS = "entity_pk, kind, path, value"


@dataclass
class SeedResult:
    existing: int
    seeded: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.seeded / self.seconds if self.seconds > 0 else 0.0


class Loader:
    """Bulk inserts into entity and entity_term, in large transactions."""

    def start(self) -> int:
        """Begin; return the next free pk."""
        raise NotImplementedError

    def load(self, batch: Batch) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class SqliteLoader(Loader):
    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=OFF",
            "foreign_keys=ON",
            "cache_size=-1000000",
            "temp_store=MEMORY",
        ):
            self.connection.execute(f"PRAGMA {pragma}")

    def start(self) -> int:
        row = self.connection.execute("SELECT coalesce(max(pk), 0) FROM entity").fetchone()
        self.connection.execute("BEGIN")
        return int(row[0]) + 1

    def load(self, batch: Batch) -> None:
        self.connection.executemany(
            f"INSERT INTO entity ({ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch.entities,
        )
        self.connection.executemany(
            f"INSERT INTO entity_term ({TERM_COLUMNS}) VALUES (?, ?, ?, ?)", batch.terms
        )

    def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("BEGIN")

    def finish(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


class PostgresLoader(Loader):
    def __init__(self, conninfo: str) -> None:
        self.connection = psycopg.connect(conninfo)

    def start(self) -> int:
        row = self.connection.execute("SELECT coalesce(max(pk), 0) FROM entity").fetchone()
        return int(row[0]) + 1 if row else 1

    def load(self, batch: Batch) -> None:
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY entity ({ENTITY_COLUMNS}) FROM STDIN") as copy:
                for row in batch.entities:
                    copy.write_row(row)
            with cursor.copy(f"COPY entity_term ({TERM_COLUMNS}) FROM STDIN") as copy:
                for term in batch.terms:
                    copy.write_row(term)

    def commit(self) -> None:
        self.connection.commit()

    def finish(self) -> None:
        # The pks were given explicitly: move the sequence past them, as the API's inserts
        # would have, then let the planner see the data (autovacuum would do so in time).
        self.connection.execute(
            "SELECT setval(pg_get_serial_sequence('entity', 'pk'), "
            "(SELECT coalesce(max(pk), 1) FROM entity))"
        )
        self.connection.commit()
        self.connection.autocommit = True
        self.connection.execute("VACUUM ANALYZE entity")
        self.connection.execute("VACUUM ANALYZE entity_term")
        self.connection.close()


def count_orders(engine: Engine) -> int:
    with engine.connect() as connection:
        statement = select(func.count()).select_from(entity).where(entity.c.kind == KIND)
        return int(connection.execute(statement).scalar_one())


def seed(url: str, orders: int, base_url: str, seed_value: int, workers: int) -> SeedResult:
    """Bring the database to `orders` product orders (migrating it first)."""
    upgrade(url)
    engine = create_engine(url)
    try:
        existing = count_orders(engine)
    finally:
        engine.dispose()
    missing = orders - existing
    if missing <= 0:
        return SeedResult(existing, 0, 0.0)
    parsed = make_url(url)
    loader: Loader
    if parsed.get_backend_name() == "sqlite":
        loader = SqliteLoader(str(parsed.database))
    else:
        conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        loader = PostgresLoader(conninfo)
    started = time.perf_counter()
    first_pk = loader.start()
    year_start = (datetime.now(UTC) - YEAR).timestamp()
    specs = [
        BatchSpec(
            existing + done,
            min(BATCH, missing - done),
            orders,
            first_pk + done,
            year_start,
            seed_value,
            base_url,
        )
        for done in range(0, missing, BATCH)
    ]
    loaded = since_commit = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for batch in pool.imap(make_batch, specs):
            loader.load(batch)
            loaded += len(batch.entities)
            since_commit += len(batch.entities)
            if since_commit >= COMMIT_EVERY:
                loader.commit()
                since_commit = 0
                elapsed = time.perf_counter() - started
                print(
                    f"  seeded {loaded:>9,} / {missing:,} orders ({loaded / elapsed:,.0f}/s)",
                    flush=True,
                )
    loader.finish()
    return SeedResult(existing, loaded, time.perf_counter() - started)


def prepare_sqlite_cache(
    cache: Path, orders: int, base_url: str, seed_value: int, workers: int
) -> SeedResult:
    """Seed the cached SQLite file if it lacks orders (via a temporary name while seeding)."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    if cache.exists():
        return seed(f"sqlite:///{cache}", orders, base_url, seed_value, workers)
    partial = cache.with_name(cache.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    result = seed(f"sqlite:///{partial}", orders, base_url, seed_value, workers)
    partial.rename(cache)
    return result


# --- the server ---------------------------------------------------------------------------


def cascade_executable() -> str:
    beside = Path(sys.executable).parent / "cascade"
    if beside.exists():
        return str(beside)
    found = shutil.which("cascade")
    if found is None:
        raise SystemExit("cannot find the `cascade` command (run with the project's venv)")
    return found


@dataclass(frozen=True)
class ServerOptions:
    workers: int  # serving processes (`cascade serve --workers`)
    controllers: bool  # run the fulfilment controllers in them


class Server:
    def __init__(self, url: str, port: int, log_path: Path, options: ServerOptions) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [cascade_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(options.workers)]
        command += ["--controllers" if options.controllers else "--no-controllers"]
        self.process = subprocess.Popen(
            [*command, "--database", url], stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server did not answer /health in {timeout:.0f}s")

    def memory_kib(self) -> Memory:
        """RSS, peak RSS and PSS of the server and its descendants, added up, in KiB."""
        memory = Memory(0, 0, 0)
        for pid in process_tree(self.process.pid):
            status = read_status(pid)
            memory.rss += status.get("VmRSS", 0)
            memory.peak += status.get("VmHWM", 0)
            memory.pss += read_pss(pid)
        return memory

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of the processes (from /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                stack.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return pids


@dataclass
class Memory:
    """KiB. RSS counts pages shared between the processes once per process; PSS splits them."""

    rss: int
    peak: int
    pss: int


def read_pss(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        name, _, rest = line.partition(":")
        if name == "Pss":
            return int(rest.split()[0])
    return 0


def read_status(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


# --- what the read phases ask for ---------------------------------------------------------


@dataclass
class Sample:
    ids: list[str]
    external_ids: list[str]
    parties: list[str]
    first_date: datetime
    last_date: datetime


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sample_orders(url: str, rng: random.Random) -> Sample:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            low, high = connection.execute(
                select(func.min(entity.c.pk), func.max(entity.c.pk))
            ).one()
            pks = sorted({rng.randint(low, high) for _ in range(SAMPLE)})
            rows = connection.execute(
                select(entity.c.id, entity.c.lookup).where(
                    entity.c.kind == KIND, entity.c.pk.in_(pks)
                )
            ).all()
            parties = (
                connection.execute(
                    select(entity_term.c.value)
                    .where(
                        entity_term.c.kind == KIND,
                        entity_term.c.path == "relatedParty.id",
                        entity_term.c.entity_pk.in_(pks),
                    )
                    .distinct()
                )
                .scalars()
                .all()
            )
            first, last = connection.execute(
                select(func.min(entity.c.date), func.max(entity.c.date)).where(
                    entity.c.kind == KIND
                )
            ).one()
    finally:
        engine.dispose()
    ids = [row.id for row in rows]
    rng.shuffle(ids)
    return Sample(
        ids,
        [row.lookup for row in rows if row.lookup],
        sorted(parties),
        parse_instant(first),
        parse_instant(last),
    )


# --- wrk ----------------------------------------------------------------------------------

LUA_COMMON = r"""
threads = {}
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    if counted then
      for code, n in pairs(counted) do codes[code] = (codes[code] or 0) + n end
    end
  end
  local parts = {}
  for code, n in pairs(codes) do table.insert(parts, string.format('"%d":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ",")))
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def create_script(collection: str = COLLECTION, parts: tuple[str, str] | None = None) -> str:
    head, tail = parts or create_body_parts()
    return (
        LUA_COMMON
        + f"""
local path = {lua_string(collection)}
local head = {lua_string(head)}
local tail = {lua_string(tail)}
local headers = {{["Content-Type"] = "application/json"}}
local prefix = ""
local counter = 0

function init(args)
  prefix = (args[1] or "WRK") .. "-" .. tostring(tid) .. "-"
end

function request()
  counter = counter + 1
  return wrk.format("POST", path, headers, head .. prefix .. counter .. tail)
end
"""
    )


def retrieve_script(ids: Sequence[str], collection: str = COLLECTION) -> str:
    listed = ",\n".join(lua_string(i) for i in ids)
    return (
        LUA_COMMON
        + f"""
local path = {lua_string(collection + "/")}
local ids = {{
{listed}
}}
local at = 0

function init(args)
  at = (tid * 7919) % #ids
end

function request()
  at = at % #ids + 1
  return wrk.format("GET", path .. ids[at])
end
"""
    )


@dataclass
class WrkResult:
    requests: int
    seconds: float
    statuses: dict[int, int]
    errors: dict[str, int]
    latency_ms: dict[str, float]
    server_cpu_s: float = 0.0  # CPU time the server used during the phase

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def unexpected(self, status: int) -> int:
        """Responses with another status, plus socket errors and timeouts."""
        other = sum(n for code, n in self.statuses.items() if code != status)
        sockets = sum(n for name, n in self.errors.items() if name != "status")
        return other + sockets


def run_wrk(
    script: Path, base: str, *, duration: float, connections: int, threads: int, label: str
) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base,
        "--",
        label,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data = json.loads(line.removeprefix("WRK_JSON "))
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                statuses={int(k): v for k, v in data["statuses"].items()},
                errors=data["errors"],
                latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
            )
    raise SystemExit(f"wrk failed:\n{completed.stdout}\n{completed.stderr}")


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing the Debian package", flush=True)
    if os.geteuid() != 0:
        raise SystemExit("install wrk first: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)


# --- list latency -------------------------------------------------------------------------


@dataclass
class ListResult:
    name: str
    example: str
    latencies_ms: list[float]
    failures: int
    missing_total: int
    mean_total: float
    mean_count: float

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def list_queries(sample: Sample, rng: random.Random, limit: int) -> dict[str, Callable[[int], str]]:
    span = (sample.last_date - sample.first_date - DATE_WINDOW).total_seconds()
    states = [s for s, _ in STATES]

    def by_state(n: int) -> str:
        return f"state={states[n % len(states)]}&limit={limit}"

    def by_date(_: int) -> str:
        start = sample.first_date + timedelta(seconds=rng.uniform(0, max(span, 0)))
        low, high = format_instant(start), format_instant(start + DATE_WINDOW)
        return f"orderDate.gte={low}&orderDate.lt={high}&limit={limit}"

    def by_external_id(_: int) -> str:
        return f"externalId={rng.choice(sample.external_ids)}&limit={limit}"

    def by_party(_: int) -> str:
        return f"relatedParty.id={rng.choice(sample.parties)}&limit={limit}"

    return {
        "state": by_state,
        "orderDate range": by_date,
        "externalId": by_external_id,
        "relatedParty.id": by_party,
    }


def measure_lists(
    base: str, sample: Sample, requests: int, limit: int, seed_value: int
) -> list[ListResult]:
    rng = random.Random(seed_value)
    results = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for name, make_query in list_queries(sample, rng, limit).items():
            for n in range(5):  # warm the connection and the caches
                client.get(f"{COLLECTION}?{make_query(n)}")
            latencies, totals, counts = [], [], []
            failures = missing_total = 0
            for n in range(requests):
                query = make_query(n)
                started = time.perf_counter()
                response = client.get(f"{COLLECTION}?{query}")
                body = response.content
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200 or not body.startswith(b"["):
                    failures += 1
                    continue
                total = response.headers.get("X-Total-Count")
                if total is None:
                    missing_total += 1
                else:
                    totals.append(int(total))
                counts.append(int(response.headers.get("X-Result-Count", "0")))
            results.append(
                ListResult(
                    name,
                    make_query(0),
                    latencies,
                    failures,
                    missing_total,
                    sum(totals) / len(totals) if totals else 0.0,
                    sum(counts) / len(counts) if counts else 0.0,
                )
            )
    return results


# --- the seeded rows against what the API writes ------------------------------------------


def check_against_api(base: str, url: str) -> str:
    """Create one order through the API and compare its stored rows with the seeding path's.

    With controllers running the order may have moved on (a new version) by the time it is
    read: its columns and terms are then checked against the stored document itself.
    """
    body = order_body(random.Random(11), f"CHECK-{uuid.uuid4()}")
    response = httpx.post(f"{base}{COLLECTION}", json=body, timeout=30)
    if response.status_code != 201:
        return f"FAIL: POST answered {response.status_code}"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = read_stored(connection, response.json()["id"])
    finally:
        engine.dispose()
    document = msgspec.json.decode(stored.doc) if stored.version > 1 else response.json()
    values = order_model().table.indexed_values(document)
    expected = (values.state, values.date, values.lookup, sorted(values.terms))
    if stored.indexed != expected:
        return f"FAIL: API stored {stored.indexed}, the seeding path would store {expected}"
    if stored.version == 1 and stored.doc.encode() != response.content:
        return "FAIL: stored document differs from the POST response"
    return "ok (API-created order has the same indexed columns and terms as the seeding path)"


@dataclass(frozen=True)
class StoredOrder:
    version: int
    doc: str
    indexed: tuple[Any, ...]  # state, date, lookup, sorted terms


def read_stored(connection: Any, id_: str) -> StoredOrder:
    """The order's row and terms, read again until no write came between the two reads."""
    columns = (entity.c.pk, entity.c.version, entity.c.state, entity.c.date, entity.c.lookup)
    while True:
        row = connection.execute(
            select(*columns, entity.c.doc).where(entity.c.kind == KIND, entity.c.id == id_)
        ).one()
        terms = connection.execute(
            select(entity_term.c.path, entity_term.c.value).where(entity_term.c.entity_pk == row.pk)
        ).all()
        again = connection.execute(select(entity.c.version).where(entity.c.pk == row.pk)).scalar()
        if again == row.version:
            indexed = (row.state, row.date, row.lookup, sorted((t.path, t.value) for t in terms))
            return StoredOrder(row.version, row.doc, indexed)


# --- profiling (optional) -----------------------------------------------------------------


@dataclass
class Profiler:
    """py-spy record on the server during one phase (collapsed stacks, for docs/notes)."""

    directory: Path | None
    pid: int
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, phase: str) -> None:
        py_spy = shutil.which("py-spy")
        if self.directory is None or py_spy is None:
            return
        output = self.directory / f"{phase}.txt"
        command = [py_spy, "record", "--pid", str(self.pid), "--format", "raw", "--rate", "200"]
        command.append("--subprocesses")
        self.running[phase] = subprocess.Popen(
            [*command, "--output", str(output)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def stop(self, phase: str) -> None:
        process = self.running.pop(phase, None)
        if process is not None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)


# --- the run ------------------------------------------------------------------------------


@dataclass
class Figures:
    database: str
    orders: int
    seed: SeedResult
    create: WrkResult
    retrieve: WrkResult
    lists: list[ListResult]
    memory: Memory
    check: str
    database_bytes: int
    server: ServerOptions

    def rows(self) -> Iterator[tuple[str, str, str, str]]:
        """(figure, value, target, verdict) rows."""
        if self.seed.seeded:
            yield ("seeding", f"{self.seed.seeded:,} orders at {self.seed.rate:,.0f}/s", "", "")
        yield (
            "create (POST, 201)",
            f"{self.create.rps:,.0f} req/s",
            *target("create_rps", self.create.rps),
        )
        yield (
            "  create latency p50/p99",
            f"{self.create.latency_ms['p50']:.1f} / {self.create.latency_ms['p99']:.1f} ms",
            "",
            "",
        )
        yield ("  server CPU during create", cpu_use(self.create), "", "")
        bad = self.create.unexpected(201)
        yield ("  create non-201 + errors", str(bad), "0", "PASS" if bad == 0 else "FAIL")
        yield (
            "retrieve (GET by id)",
            f"{self.retrieve.rps:,.0f} req/s",
            *target("retrieve_rps", self.retrieve.rps),
        )
        yield (
            "  retrieve latency p50/p99",
            f"{self.retrieve.latency_ms['p50']:.1f} / {self.retrieve.latency_ms['p99']:.1f} ms",
            "",
            "",
        )
        yield ("  server CPU during retrieve", cpu_use(self.retrieve), "", "")
        bad = self.retrieve.unexpected(200)
        yield ("  retrieve non-200 + errors", str(bad), "0", "PASS" if bad == 0 else "FAIL")
        for result in self.lists:
            p50, p99 = result.percentile(0.5), result.percentile(0.99)
            yield (f"list {result.name} p50", f"{p50:.1f} ms", *target("list_p50_ms", p50))
            yield (f"list {result.name} p99", f"{p99:.1f} ms", *target("list_p99_ms", p99))
            problems = result.failures + result.missing_total
            yield (
                "  results / X-Total-Count",
                f"{result.mean_count:.1f} / {result.mean_total:,.0f} (mean)",
                "header present",
                "PASS" if problems == 0 else f"FAIL ({problems})",
            )
        pss = self.memory.pss / 1024
        yield ("server memory (PSS) after runs", f"{pss:.0f} MB", *target("memory_mb", pss))
        yield (
            "  RSS, each process counted whole",
            f"{self.memory.rss / 1024:.0f} MB (peak {self.memory.peak / 1024:.0f} MB)",
            "",
            "",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "orders": self.orders,
            "database_mb": round(self.database_bytes / 2**20),
            "seeded": self.seed.seeded,
            "seed_rate": round(self.seed.rate),
            "create_rps": round(self.create.rps, 1),
            "create_unexpected": self.create.unexpected(201),
            "create_latency_ms": self.create.latency_ms,
            "create_server_cpu_s": round(self.create.server_cpu_s, 2),
            "retrieve_rps": round(self.retrieve.rps, 1),
            "retrieve_unexpected": self.retrieve.unexpected(200),
            "retrieve_latency_ms": self.retrieve.latency_ms,
            "retrieve_server_cpu_s": round(self.retrieve.server_cpu_s, 2),
            "lists": {
                r.name: {
                    "query": r.example,
                    "p50_ms": round(r.percentile(0.5), 2),
                    "p99_ms": round(r.percentile(0.99), 2),
                    "max_ms": round(max(r.latencies_ms), 2),
                    "requests": len(r.latencies_ms),
                    "failures": r.failures,
                    "missing_total_count": r.missing_total,
                    "mean_total_count": round(r.mean_total, 1),
                }
                for r in self.lists
            },
            "memory_mb": round(self.memory.pss / 1024, 1),
            "rss_mb": round(self.memory.rss / 1024, 1),
            "peak_rss_mb": round(self.memory.peak / 1024, 1),
            "server_workers": self.server.workers,
            "server_controllers": self.server.controllers,
            "seed_check": self.check,
            "pass": all(
                verdict != "FAIL" and not verdict.startswith("FAIL") for *_, verdict in self.rows()
            ),
        }


def cpu_use(result: WrkResult) -> str:
    """Server CPU as cores busy and as CPU time per request."""
    if not result.seconds or not result.requests:
        return "-"
    cores = result.server_cpu_s / result.seconds
    per_request = result.server_cpu_s / result.requests * 1000
    return f"{cores:.2f} cores, {per_request:.2f} ms/request"


def target(name: str, value: float) -> tuple[str, str]:
    op, limit = TARGETS[name]
    ok = value >= limit if op == ">=" else value <= limit
    return f"{op} {limit:g}", "PASS" if ok else "FAIL"


def print_table(figures: Figures) -> None:
    rows = [("figure", "value", "target", ""), *figures.rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rule = "  ".join("-" * w for w in widths)
    print(
        f"\n{figures.database}, {figures.orders:,} product orders "
        f"({figures.database_bytes / 2**20:,.0f} MB)"
    )
    print(rule)
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print(rule)
    print(rule)
    print(f"seeded rows check: {figures.check}")


def database_size(url: str) -> int:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            size = connection.exec_driver_sql("SELECT pg_database_size(current_database())")
            return int(size.scalar_one())
    finally:
        engine.dispose()


def phase(text: str) -> None:
    print(f"== {text}", flush=True)


def run(args: argparse.Namespace, url: str, seed_result: SeedResult, workdir: Path) -> Figures:
    port = args.port or free_port()
    sample = sample_orders(url, random.Random(args.seed))
    phase(
        f"sampled {len(sample.ids):,} orders, {len(sample.parties):,} parties, dates "
        f"{format_instant(sample.first_date)} .. {format_instant(sample.last_date)}"
    )
    (workdir / "create.lua").write_text(create_script())
    (workdir / "retrieve.lua").write_text(retrieve_script(sample.ids))
    options = ServerOptions(args.workers, args.controllers)
    server = Server(url, port, workdir / "server.log", options)
    profiler = Profiler(args.profile, server.process.pid)
    try:
        server.wait_ready()
        phase(
            f"server up on {server.base} (pid {server.process.pid}, {args.workers} worker(s), "
            f"controllers {'on' if args.controllers else 'off'}); log {server.log_path}"
        )

        def wrk(script: Path, *, duration: float, label: str) -> WrkResult:
            before = cpu_seconds(process_tree(server.process.pid))
            result = run_wrk(
                script,
                server.base,
                duration=duration,
                connections=args.connections,
                threads=args.threads,
                label=label,
            )
            result.server_cpu_s = cpu_seconds(process_tree(server.process.pid)) - before
            return result

        wrk(workdir / "retrieve.lua", duration=2, label="warm")
        phase(f"create: wrk {args.connections} connections, {args.duration:g}s")
        profiler.start("create")
        create = wrk(workdir / "create.lua", duration=args.duration, label=f"R{port}")
        profiler.stop("create")
        phase(f"retrieve: wrk {args.connections} connections, {args.duration:g}s")
        profiler.start("retrieve")
        retrieve = wrk(workdir / "retrieve.lua", duration=args.duration, label="get")
        profiler.stop("retrieve")
        phase(f"lists: {args.list_requests} sequential requests per query")
        profiler.start("lists")
        lists = measure_lists(server.base, sample, args.list_requests, args.limit, args.seed)
        profiler.stop("lists")
        memory = server.memory_kib()
        check = check_against_api(server.base, url)
    finally:
        server.stop()
    backend = make_url(url).get_backend_name()
    return Figures(
        backend,
        count_after(url),
        seed_result,
        create,
        retrieve,
        lists,
        memory,
        check,
        database_size(url),
        options,
    )


def count_after(url: str) -> int:
    engine = create_engine(url)
    try:
        return count_orders(engine)
    finally:
        engine.dispose()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--reuse", type=Path, metavar="PATH", help="SQLite file to seed once and copy for each run"
    )
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders to seed")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk phase")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--list-requests", type=int, default=300, help="requests per list query")
    parser.add_argument("--limit", type=int, default=20, help="limit= of the list queries")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data")
    parser.add_argument(
        "--seed-workers", type=int, default=2, help="processes shaping documents when seeding"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="serving processes (`cascade serve --workers`)"
    )
    parser.add_argument(
        "--controllers",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="run the fulfilment controllers in the serving processes (default: off, so the "
        "figures are the API's own; every created order is then fulfilled in the background)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record py-spy collapsed stacks of the server per phase into DIR",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument(
        "--versions",
        type=lambda text: text.split(","),
        default=None,
        metavar="v4,v5",
        help="create and retrieve through these TMF622 versions, alternating phase by phase on "
        "one server (bench/versions.py), instead of the v4 figures and targets",
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds with --versions")
    args = parser.parse_args(argv)
    if args.versions and not set(args.versions) <= {"v4", "v5"}:
        parser.error("--versions takes v4, v5 or v4,v5")
    if args.database and args.reuse:
        parser.error("--database and --reuse exclude each other")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="cascade-bench-"))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    base_url = f"http://127.0.0.1:{args.port or 8000}"
    try:
        if args.database:
            url = args.database
            phase(f"checking {url} for {args.orders:,} orders (seeding what is missing)")
            seeded = seed(url, args.orders, base_url, args.seed, args.seed_workers)
        else:
            cache = args.reuse or workdir / "seeded.db"
            phase(f"checking {cache} for {args.orders:,} orders (seeding what is missing)")
            seeded = prepare_sqlite_cache(
                cache, args.orders, base_url, args.seed, args.seed_workers
            )
            scratch = workdir / "cascade.db"
            if args.reuse:
                phase(f"copying {cache} to {scratch}")
                shutil.copyfile(cache, scratch)
                wal = Path(f"{cache}-wal")
                if wal.exists() and wal.stat().st_size:
                    shutil.copyfile(wal, Path(f"{scratch}-wal"))
            else:
                cache.rename(scratch)
            url = f"sqlite:///{scratch}"
        if seeded.seeded:
            phase(
                f"seeded {seeded.seeded:,} orders in {seeded.seconds:.0f}s "
                f"({seeded.rate:,.0f} orders/s)"
            )
        else:
            phase(f"database already holds {seeded.existing:,} orders: no seeding")
        if args.versions:
            from versions import run_versions  # (this module: imported when asked)

            run_versions(args, url, workdir)
            return 0
        figures = run(args, url, seeded, workdir)
    finally:
        if args.keep:
            print(f"scratch directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_table(figures)
    summary = figures.as_json()
    print(json.dumps(summary, separators=(",", ":")))
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
