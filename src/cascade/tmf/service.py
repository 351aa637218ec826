"""The TMF630 operations on one resource, independent of HTTP framework and database."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from cascade.storage.database import Database
from cascade.storage.documents import DocumentTable, StoredDocument
from cascade.storage.idempotency import StoredResponse, find_response, save_response
from cascade.tmf.declarations import HUB, ApiSpec, ResourceSpec
from cascade.tmf.documents import (
    etag,
    if_match_allows,
    new_id,
    prepare_new,
    prepare_update,
    project,
)
from cascade.tmf.errors import TmfError, bad_request, not_found
from cascade.tmf.events import EventRecorder, event_types
from cascade.tmf.instants import now_instant
from cascade.tmf.patching import Patch, refuse_non_patchable
from cascade.tmf.query import ListQuery, parse_fields, parse_list_query
from cascade.tmf.schema import Shape
from cascade.tmf.service_types import CALLER, Access, Caller, Creator, Hooks, Loaded, Page, Written
from cascade.tmf.subscriptions import check_callback
from cascade.tmf.transitions import check_client_change

# The service's own types, importable from here as before the split into service_types.
__all__ = ["CALLER", "Caller", "Loaded", "Page", "ResourceService", "Written"]

encode = msgspec.json.encode
_canonical = msgspec.json.Encoder(order="sorted")


def _request_hash(body: dict[str, Any]) -> str:
    """What identifies a request body for Idempotency-Key replays (key order does not count)."""
    return hashlib.sha256(_canonical.encode(body)).hexdigest()


_Docs = tuple[list[str], int]  # a page of documents (JSON text) and the total count


class ResourceService:
    """Create, retrieve, list, patch and delete for one declared resource."""

    def __init__(
        self, api: ApiSpec, resource: ResourceSpec, database: Database, public_url: str
    ) -> None:
        self.api = api
        self.resource = resource
        self.database = database
        self.kind = api.kind(resource)
        self.collection_url = f"{public_url.rstrip('/')}{api.base_path}/{resource.name}"
        self.shape: Shape = api.spec.shape(resource.entity)
        self.hooks = Hooks()
        self.access: Access | None = None  # set by security; None: no checks, no audit
        self.creator: Creator | None = None  # None: a client's create is a plain insert
        self.events = self._event_recorder()
        self.table = DocumentTable(
            self.kind,
            state=resource.state,
            date=resource.date,
            lookup=resource.key,
            terms=resource.terms,
        )
        spec = api.spec
        entity_properties = spec.properties(resource.entity)
        if spec.has(resource.update_schema):
            self.non_patchable = entity_properties - spec.properties(resource.update_schema)
        else:
            self.non_patchable = entity_properties

    def _event_recorder(self) -> EventRecorder | None:
        """What records this resource's TMF events (None for /hub and event-less resources)."""
        resource = self.resource
        if resource.name == HUB:
            return None
        types = event_types(self.api.spec, resource.entity, resource.name)
        if types is None:
            return None
        ignored = [name for name in (resource.last_update,) if name]
        return EventRecorder(
            self.api.spec, self.api.code, self.kind, types, state=resource.state, ignored=ignored
        )

    # --- create -----------------------------------------------------------------------------

    async def create(
        self, body: Any, idempotency_key: str | None = None, caller: Caller | None = None
    ) -> Written:
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object", "invalidBody")
        self.api.spec.validate(self.resource.create_schema, body)
        if self.resource.name == HUB:
            check_callback(body.get("callback"))
        for check in self.hooks.before_create:
            check(body)
        request_hash = "" if idempotency_key is None else _request_hash(body)
        access = self.access if caller is not None else None
        # Idempotency keys are per party: another party's key never replays this one's answer.
        party = caller.party if caller is not None else None
        key_scope = f"{self.kind}@{party}" if party else self.kind

        def job(connection: Connection) -> Written:
            if idempotency_key is not None:
                earlier = find_response(connection, key_scope, idempotency_key)
                if earlier is not None:
                    return self._replay(earlier, request_hash)
            if access is not None and caller is not None:
                access.check_create(connection, body, caller)
            create = self.insert if self.creator is None else self.creator
            written = create(connection, body)
            if access is not None and caller is not None:
                created_id = written.entity_id or (written.location or "").rsplit("/", 1)[-1]
                access.written(connection, caller, "create", created_id, None)
            if idempotency_key is not None:
                stored = StoredResponse(
                    request_hash, written.status, written.location, written.body.decode()
                )
                save_response(connection, key_scope, idempotency_key, stored, now_instant())
            return written

        try:
            written = await self.database.write(job)
        except IntegrityError:
            if idempotency_key is None:
                raise
            # Another process stored the same key first: answer as for any retry.
            written = await self.database.write(job)
        self.hooks.committed()
        return written

    def insert(
        self, connection: Connection, body: dict[str, Any], *, id_: str | None = None
    ) -> Written:
        """Store a new entity from a validated body (also used by loaders and controllers).

        Controllers pass a deterministic `id_` (derived from the parent order item) so that a
        step run twice finds what it created the first time instead of creating it again.
        """
        id_ = id_ or new_id()
        now = now_instant()
        href = f"{self.collection_url}/{id_}"
        document = prepare_new(self.resource, body, id_=id_, href=href, now=now, shape=self.shape)
        text = encode(document)
        self.table.insert(connection, id_, text.decode(), self.table.indexed_values(document), now)
        if self.events is not None:
            self.events.created(connection, document, text)
        self.hooks.written(connection, document)
        return Written(text, 1, 201, href)

    def href_of(self, id_: str) -> str:
        return f"{self.collection_url}/{id_}"

    def load(self, connection: Connection, id_: str) -> Loaded | None:
        """Read an entity for change (row-locked on PostgreSQL until the transaction ends)."""
        stored = self.table.get(connection, id_, for_update=True)
        if stored is None:
            return None
        return Loaded(stored, msgspec.json.decode(stored.doc))

    def peek(self, connection: Connection, id_: str) -> dict[str, Any] | None:
        """Read an entity without locking it."""
        stored = self.table.get(connection, id_)
        return None if stored is None else msgspec.json.decode(stored.doc)

    def save(self, connection: Connection, loaded: Loaded) -> int:
        """Write back a document changed by a controller; returns its new version."""
        document = prepare_update(
            self.resource, loaded.document, now=now_instant(), shape=self.shape
        )
        values = self.table.indexed_values(document)
        text = encode(document)
        version = self.table.replace(connection, loaded.stored, text.decode(), values)
        if self.events is not None:
            self.events.changed(connection, loaded.stored.doc, document, text)
        # No write hooks: a controller's own change must not wake the controller again.
        return version

    def find(self, connection: Connection, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """The entities matching TMF630 list parameters (first page), decoded."""
        docs, _ = self.table.list(connection, parse_list_query(params, self.shape))
        return [msgspec.json.decode(doc) for doc in docs]

    def insert_as_is(self, connection: Connection, document: dict[str, Any]) -> None:
        """Store a document that carries its own id and href (catalog files, fixtures)."""
        text = encode(document)
        values = self.table.indexed_values(document)
        self.table.insert(connection, str(document["id"]), text.decode(), values, now_instant())
        if self.events is not None:
            self.events.created(connection, document, text)

    def replace_as_is(
        self, connection: Connection, stored: StoredDocument, document: dict[str, Any]
    ) -> None:
        """Replace a stored document with one that carries its own id and href."""
        text = encode(document)
        self.table.replace(connection, stored, text.decode(), self.table.indexed_values(document))
        if self.events is not None:
            self.events.changed(connection, stored.doc, document, text)

    @staticmethod
    def _replay(earlier: StoredResponse, request_hash: str) -> Written:
        if earlier.request_hash != request_hash:
            raise TmfError(
                422,
                "idempotencyKeyReused",
                "This Idempotency-Key was already used with a different request body",
            )
        return Written(earlier.body.encode(), 1, earlier.status, earlier.location)

    # --- read -------------------------------------------------------------------------------

    async def retrieve(
        self, id_: str, fields: str | None = None, caller: Caller | None = None
    ) -> Written:
        selected = parse_fields(fields, self.shape) if fields is not None else None
        if caller is not None and caller.party and self.access is not None:
            stored = await self.database.read(lambda c: self._visible(c, id_, caller))
        else:
            stored = await self.database.read(lambda c: self.table.get(c, id_), snapshot=False)
        if stored is None:
            raise not_found(f"{self.resource.entity} '{id_}'")
        if selected is None:
            return Written(stored.doc.encode(), stored.version)
        return Written(encode(project(msgspec.json.decode(stored.doc), selected)), stored.version)

    async def list(self, params: list[tuple[str, str]], caller: Caller | None = None) -> Page:
        query: ListQuery = parse_list_query(params, self.shape)
        if caller is not None and caller.party and self.access is not None:
            docs, total = await self.database.read(lambda c: self._narrowed(c, query, caller))
        else:
            docs, total = await self.database.read(lambda c: self.table.list(c, query))
        if query.fields is None:
            body = b"[" + ",".join(docs).encode() + b"]"
        else:
            selected = query.fields
            body = encode([project(msgspec.json.decode(doc), selected) for doc in docs])
        return Page(body, total, len(docs))

    def _visible(self, connection: Connection, id_: str, caller: Caller) -> StoredDocument | None:
        stored = self.table.get(connection, id_)
        if stored is None or self.access is None:
            return stored
        document = msgspec.json.decode(stored.doc)
        return stored if self.access.sees(connection, document, caller) else None

    def _narrowed(self, connection: Connection, query: ListQuery, caller: Caller) -> _Docs:
        assert self.access is not None
        narrowed = self.access.narrow(connection, query, caller)
        if narrowed is None:
            return [], 0
        return self.table.list(connection, narrowed[0], scope=narrowed[1])

    # --- patch and delete ------------------------------------------------------------------

    async def patch(
        self, id_: str, patch: Patch, if_match: str | None, caller: Caller | None = None
    ) -> Written:
        refuse_non_patchable(patch.touched_attributes(), self.non_patchable)
        access = self.access if caller is not None else None

        def job(connection: Connection) -> Written:
            stored = self._existing(connection, id_, if_match, caller)
            document = patch.apply(msgspec.json.decode(stored.doc))
            if document.get("id") != id_:
                raise bad_request("id cannot be changed", "nonPatchableAttribute")
            prepare_update(self.resource, document, now=now_instant(), shape=self.shape)
            self.api.spec.validate(self.resource.entity, document)
            check_client_change(self.resource, stored.doc, document)
            if access is not None and caller is not None:
                access.check_kept(connection, document, caller)
            text = encode(document)
            values = self.table.indexed_values(document)
            version = self.table.replace(connection, stored, text.decode(), values)
            if self.events is not None:
                self.events.changed(connection, stored.doc, document, text)
            for hook in self.hooks.on_patch:
                hook(connection, msgspec.json.decode(stored.doc), document)
            self.hooks.written(connection, document)
            if access is not None and caller is not None:
                touched = ",".join(sorted(patch.touched_attributes()))
                access.written(connection, caller, "update", id_, touched)
            return Written(text, version)

        written = await self.database.write(job)
        self.hooks.committed()
        return written

    async def delete(
        self, id_: str, if_match: str | None = None, caller: Caller | None = None
    ) -> None:
        def job(connection: Connection) -> None:
            stored = self._existing(connection, id_, if_match, caller)
            self.table.delete(connection, id_)
            self.hooks.deleted(connection, id_)
            if self.events is not None:
                self.events.deleted(connection, id_, stored.doc.encode())
            if caller is not None and self.access is not None:
                self.access.written(connection, caller, "delete", id_, None)

        await self.database.write(job)
        self.hooks.committed()

    def _existing(
        self,
        connection: Connection,
        id_: str,
        if_match: str | None,
        caller: Caller | None = None,
    ) -> StoredDocument:
        stored = self.table.get(connection, id_, for_update=True)
        if (
            stored is not None
            and caller is not None
            and caller.party
            and self.access is not None
            and not self.access.sees(connection, msgspec.json.decode(stored.doc), caller)
        ):
            stored = None  # another party's entity: as if it did not exist
        if stored is None:
            raise not_found(f"{self.resource.entity} '{id_}'")
        if not if_match_allows(if_match, stored.version):
            raise TmfError(
                412,
                "preconditionFailed",
                f"If-Match does not match the current ETag {etag(stored.version)}",
            )
        return stored
