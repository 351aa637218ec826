"""The renewal of the leases of the steps a process runs (ADR 0030).

Every third of the lease, one statement extends the leases this process still holds on the
items whose steps it runs, whatever their number; it runs beside the writer's batches (a
`SideWriter`), so a step that waits in its transaction (a lock, a slow batch) does not hold up
its own lease's renewal. A process that dies renews nothing, and its leases run out as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Collection

from cascade.storage import work
from cascade.storage.database import Database
from cascade.storage.side_writer import SideWriter

log = logging.getLogger(__name__)


class LeaseRenewal:
    """Keeps the leases of `under_way()` (the keys of the running steps) for `owner`."""

    def __init__(
        self,
        database: Database,
        owner: str,
        lease_ms: int,
        under_way: Callable[[], Collection[tuple[str, str]]],
    ) -> None:
        self.database = database
        self.owner = owner
        self.lease_ms = lease_ms
        self.under_way = under_way
        self.interval_s = lease_ms / 3 / 1000
        self.renewed = 0  # leases extended, over the process's life (for logs and tests)
        self._writer: SideWriter | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._writer = SideWriter(self.database)
            self._task = asyncio.create_task(self._run(), name="cascade-lease-renewal")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.to_thread(writer.close)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)  # a period, not a synchronisation
            await self.renew()

    async def renew(self) -> int:
        """Extend the leases of the steps under way now; how many were extended. A failure is
        logged: the next period tries again, and fencing covers a lease that ran out."""
        keys = list(self.under_way())
        writer = self._writer
        if not keys or writer is None:
            return 0
        owner, lease_ms = self.owner, self.lease_ms
        try:
            count = await writer.write(lambda c: work.renew(c, owner, keys, lease_ms=lease_ms))
        except Exception as exc:
            log.warning(
                "renewing %d leases failed (%s); tried again in %.1f s",
                len(keys),
                exc,
                self.interval_s,
            )
            return 0
        if count < len(keys):  # ended meanwhile, being finished (skipped), or taken over
            log.debug("renewed %d of %d leases", count, len(keys))
        self.renewed += count
        return count
