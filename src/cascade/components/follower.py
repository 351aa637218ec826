"""The task that forwards mirrors to the next component and keeps them up to date.

One loop per component process, next to the controllers (a Runtime companion):

- it subscribes once to the next component's hub (subscription.py), and tries again until
  that works;
- a mirror in phase `post` is POSTed with an `Idempotency-Key` derived from its local id, so a
  retry after a timeout or a crash finds the order made the first time;
- a `linked` mirror is read back (GET of its remote href) when an event nudged it, and every
  `follow_interval_s` otherwise, until it ends: events make it quick, polling makes it sure.
  The GET is the truth: an event only says when to look, so events out of order or missed
  change nothing. A document older than the one applied (ETag version) is ignored. When a
  service order ends, the services it made or changed are read too (COM's replicas).

The next component down (refused connections, timeouts, 408, 429, 5xx) delays, never loses:
the row is tried again with back-off. Any other refusal ends the mirror `rejected` (an order)
or `terminatedWithError` (a cancel task) with the answer in a note, and its parent is told.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import msgspec
from sqlalchemy import Connection

from cascade.background.http_rows import HttpWorkLoop
from cascade.components import links
from cascade.components.exchange import Answer, ok, said, transient
from cascade.components.links import ENDED, FAILED, LINKED, Claimed
from cascade.components.mirror import Mirrors, NotReadyError
from cascade.components.subscription import HubSubscription
from cascade.domain.states import ACKNOWLEDGED, IN_PROGRESS
from cascade.storage.database import Database
from cascade.telemetry import tracing
from cascade.telemetry.tracing import TraceContext

log = logging.getLogger(__name__)
NOT_READY_MS = 500
INBOX_PATH = "/cascade/inbox"
MERGE_PATCH = "application/merge-patch+json"  # TMF630: a PATCH's default media type


@dataclass(frozen=True)
class FollowerSettings:
    callback_base: str  # this component's base URL, as the next one reaches it
    follow_interval_s: float = 30.0  # between two reads of a mirror no event nudged
    poll_interval_s: float = 0.5  # the longest idle wait (another process may have nudged)
    timeout_s: float = 10.0
    backoff_ms: int = 500
    backoff_max_ms: int = 30_000
    concurrency: int = 16
    authorization: str | None = None

    @property
    def lease_ms(self) -> int:
        return int(self.timeout_s * 1000) + 10_000


class Follower(HttpWorkLoop):
    task_name = "cascade-component-follower"

    def __init__(
        self,
        database: Database,
        mirrors: Mirrors,
        settings: FollowerSettings,
        on_change: Callable[[], None] = lambda: None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(database, settings, transport)
        self.mirrors = mirrors
        self.settings = settings
        self.on_change = on_change  # the runtime's wake: a mirror changed, parents are due
        self.owner = f"follower-{uuid.uuid4().hex[:12]}"
        # While tracing: a mirror's tree root and kept traceparent, by (kind, id) (the runtime's).
        self.trace_root: Callable[[Connection, str, str], tuple[str, str | None]] | None = None
        remote = mirrors.remote
        self.subscription = HubSubscription(
            database,
            hub_url=remote.hub_url,
            callback=f"{settings.callback_base.rstrip('/')}{INBOX_PATH}/{remote.name}",
            query=remote.followed_events,
        )

    # --- the rows ---------------------------------------------------------------------------

    def _claim(self, connection: Connection, limit: int) -> list[Claimed]:
        return links.claim(connection, self.owner, self.settings.lease_ms, limit)

    def _next_due(self, connection: Connection) -> int | None:
        return links.next_due(connection)

    async def _before_claim(self) -> None:
        if self.subscription.due():
            await self.subscription.ensure(self._send)

    def _longest_wait_s(self) -> float:
        return self.subscription.wait_s(self.settings.poll_interval_s)

    # --- one exchange -----------------------------------------------------------------------

    async def _exchange(self, row: Claimed) -> None:
        try:
            if row.phase == links.POST:
                await self._post(row)
            elif row.asking is not None:
                await self._carry(row, row.asking)
            else:
                await self._follow(row)
        except Exception:
            log.exception("mirror %s %s: exchange failed unexpectedly", row.kind, row.local_id)
            return  # the lease runs out and the row is taken again
        self._wake.set()

    async def _post(self, row: Claimed) -> None:
        try:
            body = await self.database.read(
                lambda c: self.mirrors.create_body(c, row.kind, row.local_id)
            )
        except NotReadyError:
            await self._settle(row, NOT_READY_MS)
            return
        if body is None:
            await self._settle(row, 0, phase=FAILED, reason="the mirror is gone")
            return
        key = self.mirrors.idempotency_key(row.kind, row.local_id)
        context = await self._trace_of(row)
        answer = await self._send("POST", row.collection_url, body, key, context=context)
        if isinstance(answer, httpx.Response) and ok(answer, 200, 201):
            await self._take(row, answer, linking=True)
        elif transient(answer):
            await self._retry(row, answer)
        else:
            await self._refuse(row, f"{row.collection_url} refused it: {said(answer)}")

    async def _trace_of(self, row: Claimed) -> TraceContext | None:
        """While tracing: the trace of the mirror's order tree, which its POST continues, so
        the next component's request and steps are the same trace (ADR 0024)."""
        find = self.trace_root
        if find is None or not tracing.enabled():
            return None
        root, kept = await self.database.read(lambda c: find(c, row.kind, row.local_id))
        return tracing.tree_context(root, kept)

    async def _carry(self, row: Claimed, state: str) -> None:
        """PATCH the remote order to the state its parent asked for: a hold or a release.

        An order is held only from `inProgress`: one not started there yet is read again soon
        and held once it runs; then no hold went there, so a release has nothing to undo.
        A refusal (the order ended meanwhile, say) is noted on the parent; the ask is done.
        """
        current = await self.database.read(lambda c: self.mirrors.state_of(c, row.local_id))
        if current == ACKNOWLEDGED and state != IN_PROGRESS:
            await self._follow(row, delay_ms=NOT_READY_MS)
            return
        carried = links.ask_done(row)
        if current == ACKNOWLEDGED:
            await self._settle(row, 0, **carried)
            return
        assert row.remote_href is not None
        body = msgspec.json.encode({"state": state})
        answer = await self._send("PATCH", row.remote_href, body, content_type=MERGE_PATCH)
        if isinstance(answer, httpx.Response) and ok(answer, 200):
            await self._take(row, answer, linking=False, **carried)
        elif transient(answer):
            await self._retry(row, answer)
        else:
            reason = said(answer)
            log.warning("mirror %s %s: %s refused: %s", row.kind, row.local_id, state, reason)

            def job(connection: Connection) -> None:
                self.mirrors.state_refused(connection, row, reason)
                links.settle(connection, row, self.owner, 0, **links.ask_done(row, refused=True))

            await self.database.write(job)

    async def _follow(self, row: Claimed, delay_ms: int | None = None) -> None:
        assert row.remote_href is not None
        answer = await self._send("GET", row.remote_href)
        if isinstance(answer, httpx.Response) and ok(answer, 200):
            await self._take(row, answer, linking=False, delay_ms=delay_ms)
        elif ok(answer, 404):
            await self._refuse(row, f"{row.remote_href} is gone")
        else:
            await self._retry(row, answer)

    async def _take(
        self,
        row: Claimed,
        answer: httpx.Response,
        *,
        linking: bool,
        delay_ms: int | None = None,
        **more: Any,
    ) -> None:
        """Apply the remote document to the mirror (unless older than the one applied)."""
        document = answer.json()
        version = _version(answer.headers.get("etag"))
        state = str(document.get("state"))
        layer = self.mirrors.layer
        machine = layer.machine if row.kind == layer.order_kind.name else layer.task_machine
        phase = ENDED if machine.is_terminal(state) else LINKED
        values: dict[str, Any] = {"phase": phase, "tries": 0, **more}
        if linking:
            values.update(remote_id=str(document["id"]), remote_href=str(document["href"]))
        newer = version is None or version > row.remote_version
        if version is not None and newer:
            values["remote_version"] = version
        if not newer:
            values["phase"] = row.phase
        replicas: list[dict[str, Any]] = []
        if newer and phase == ENDED:
            read = await self._replicas(self.mirrors.replica_hrefs(row.kind, document))
            if isinstance(read, str):
                await self._retry(row, read)  # applied once every record could be read
                return
            replicas = read

        def job(connection: Connection) -> bool:
            self.mirrors.replicate(connection, replicas)
            changed = newer and self.mirrors.apply(connection, row.kind, row.local_id, document)
            delay = int(self.settings.follow_interval_s * 1000) if delay_ms is None else delay_ms
            links.settle(connection, row, self.owner, delay, **values)
            return changed

        if await self.database.write(job):
            self.on_change()

    async def _replicas(self, hrefs: list[str]) -> list[dict[str, Any]] | str:
        """The records at `hrefs`, one list GET per collection (`?id=a,b`); or why not."""
        by_collection: dict[str, list[str]] = {}
        for href in hrefs:
            collection, _, record_id = href.rpartition("/")
            by_collection.setdefault(collection, []).append(record_id)
        found: list[dict[str, Any]] = []
        for collection, ids in by_collection.items():
            query = urlencode({"id": ",".join(ids), "limit": str(len(ids))})
            read = await self._send("GET", f"{collection}?{query}")
            if not isinstance(read, httpx.Response) or not ok(read, 200):
                return said(read)
            records = read.json()
            if {str(record.get("id")) for record in records} != set(ids):
                return f"{collection} did not return all of {', '.join(ids)}"
            found.extend(records)
        return found

    async def _retry(self, row: Claimed, answer: Answer) -> None:
        tries = row.tries + 1
        delay = min(self.settings.backoff_max_ms, self.settings.backoff_ms * 2 ** min(tries, 16))
        reason = said(answer)
        if tries == 1 or tries % 10 == 0:
            log.warning("mirror %s %s: %s (try %d)", row.kind, row.local_id, reason, tries)
        await self._settle(row, delay, tries=tries, reason=reason)

    async def _refuse(self, row: Claimed, reason: str) -> None:
        log.warning("mirror %s %s: %s", row.kind, row.local_id, reason)

        def job(connection: Connection) -> None:
            self.mirrors.refused(connection, row.kind, row.local_id, reason)
            links.settle(connection, row, self.owner, 0, phase=FAILED, reason=reason)

        await self.database.write(job)
        self.on_change()

    async def _settle(self, row: Claimed, delay_ms: int, **values: Any) -> None:
        await self.database.write(lambda c: links.settle(c, row, self.owner, delay_ms, **values))

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        key: str | None = None,
        content_type: str | None = None,
        *,
        context: TraceContext | None = None,
    ) -> Answer:
        client = self.client
        headers = {"Idempotency-Key": key} if key else {}
        if content_type:
            headers["Content-Type"] = content_type
        self.exchanges += 1
        with tracing.span(
            f"forward {method}", {"url.full": url}, context=context, kind=tracing.CLIENT
        ):
            tracing.outgoing(headers)  # W3C traceparent, while tracing
            try:
                return await client.request(method, url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _version(etag: str | None) -> int | None:
    if not etag:
        return None
    try:
        return int(etag.strip('W/"'))
    except ValueError:
        return None
