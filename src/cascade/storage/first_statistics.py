"""PostgreSQL statistics while Cascade's tables are young, on a thread of their own.

A statement the writer prepares while `entity` is empty gets a generic plan made with no
statistics: every index then costs the same, and PostgreSQL 15 read an order by id through
`(kind, state, date)`, filtering on the id, for as long as the plan lived. Autovacuum's first
ANALYZE (up to a minute later, `autovacuum_naptime`) replans it; until then each get by id
read every row of its kind: 0.5-0.6 ms each instead of 0.03 ms, and the list by term behind
`customer_products` 2.9 ms instead of 0.08 (docs/performance.md). Here, after commits and at
most every `CHECK_SECONDS`, the thread ANALYZEs the hot tables each time `entity`'s file has
doubled since it was last analysed (`relpages`), until it is `GROWN_PAGES` long; autovacuum
does the rest. The file's size is read, not the row counts of `pg_stat_user_tables`, which
a backend idle after its commits reports only seconds later.
Several processes may each run one: an extra ANALYZE of a small table costs milliseconds.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

TABLES = ("entity", "entity_term", "work_item", "allocation")
FIRST_PAGES = 8  # 64 kB, a few hundred rows: below this, any plan is cheap
GROWN_PAGES = 2_500  # 20 MB, about 20,000 orders' rows: from here on, autovacuum is soon enough
CHECK_SECONDS = 2.0

_SIZES = text(
    "SELECT relpages, pg_relation_size(oid) / current_setting('block_size')::int "
    "FROM pg_class WHERE oid = to_regclass('entity')"
)


def needs_analyze(analysed_pages: int, pages: int) -> bool:
    """Whether `entity` grew enough since its last ANALYZE (`relpages`: 0 if never)."""
    return pages >= FIRST_PAGES and pages >= 2 * analysed_pages


class FirstStatistics:
    """ANALYZEs the hot tables as they double in size, until they are grown."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cascade-statistics", daemon=True)
        self._thread.start()

    def committed(self) -> None:
        """Called by the writer after each commit."""
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            self._wake.wait()  # a commit (the file's size is current at once: no later look)
            if self._stop.is_set():
                return
            self._wake.clear()
            try:
                if self._grown():
                    return
            except Exception as exc:  # the next commit tries again
                log.warning("statistics of young tables not refreshed: %s", exc)
            if self._stop.wait(CHECK_SECONDS):  # at most one look per CHECK_SECONDS
                return

    def _grown(self) -> bool:
        """Analyse if `entity` doubled; True once it is past `GROWN_PAGES` (nothing more to do)."""
        with self._engine.connect() as connection:
            row = connection.execute(_SIZES).first()
            if row is None:
                return False
            analysed, pages = int(row[0]), int(row[1])
            if analysed >= GROWN_PAGES:
                return True
            if needs_analyze(analysed, pages):
                connection.execute(text(f"ANALYZE {', '.join(TABLES)}"))
                connection.commit()
                log.info("analysed %s at %d pages of entity", ", ".join(TABLES), pages)
        return False
