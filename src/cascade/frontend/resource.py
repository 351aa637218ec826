"""The TMF630 operations a client makes on one API resource, over its kind's repository.

Create, retrieve, list, patch and delete: the body checked against this API's schema, an
`Idempotency-Key` replayed, `If-Match` compared in the writing transaction, and the
resource's client behaviours (cascade.frontend.types.ClientBehaviour) run where they belong.
A resource with a `View` (TMF v5 over the stored v4 documents) translates what comes in and
what goes out (frontend/views.py); the checks and behaviours see the stored form.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from cascade.frontend.types import Access, Caller, ClientBehaviour, Page, Written
from cascade.frontend.views import Translation
from cascade.repositories import Created, Repository
from cascade.storage.database import Database
from cascade.storage.documents import StoredDocument
from cascade.storage.idempotency import StoredResponse, find_response, save_response
from cascade.tmf.declarations import ApiSpec, ResourceSpec, StoredSchema
from cascade.tmf.documents import etag, if_match_allows, prepare_update, project
from cascade.tmf.errors import TmfError, bad_request, not_found
from cascade.tmf.instants import now_instant
from cascade.tmf.kept import KeptAttributes
from cascade.tmf.patching import JSON_PATCH_QUERY, Patch, refuse_non_patchable, refuse_removal
from cascade.tmf.query import ListQuery, parse_fields, parse_list_query
from cascade.tmf.schema import Shape
from cascade.tmf.transitions import check_client_change, check_started_items

encode = msgspec.json.encode
_canonical = msgspec.json.Encoder(order="sorted")
# Never a client's to patch, even where a file patches with the entity itself (TMF639 v5).
SERVER_SET = frozenset({"id", "href"})


def _request_hash(body: dict[str, Any]) -> str:
    """What identifies a request body for Idempotency-Key replays (key order does not count)."""
    return hashlib.sha256(_canonical.encode(body)).hexdigest()


_Docs = tuple[list[str], int]  # a page of documents (JSON text) and the total count


class TmfResource:
    """Create, retrieve, list, patch and delete for one declared resource of one API."""

    def __init__(
        self,
        api: ApiSpec,
        resource: ResourceSpec,
        repository: Repository,
        database: Database,
        behaviour: ClientBehaviour | None = None,
        collection_url: str | None = None,
        stored_schema: StoredSchema | None = None,
    ) -> None:
        self.api = api
        self.resource = resource
        self.repository = repository
        self.database = database
        self.behaviour = behaviour or ClientBehaviour()
        self.name = api.route_prefix(resource)  # tmf622.productOrder: routes, keys, audit
        self.shape: Shape = api.spec.shape(resource.entity)
        hrefs = (repository.collection_url, collection_url or repository.collection_url)
        self.kept = KeptAttributes(resource.kind)
        self.view = Translation(resource.view, api.spec.openapi3, hrefs, stored_schema, self.kept)
        spec = api.spec
        self.patch_query = spec.lists_request_media(JSON_PATCH_QUERY)
        entity_properties = spec.properties(resource.entity)
        if spec.has(resource.update_schema):
            patchable = spec.properties(resource.update_schema) - SERVER_SET
            self.non_patchable = entity_properties - patchable
        else:
            self.non_patchable = entity_properties

    @property
    def access(self) -> Access | None:
        """Security's party rule and audit (None: no checks, no audit)."""
        return self.behaviour.access

    # --- create -----------------------------------------------------------------------------

    async def create(
        self,
        body: Any,
        idempotency_key: str | None = None,
        caller: Caller | None = None,
        fields: str | None = None,
    ) -> Written:
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object", "invalidBody")
        selected = self._answer_fields(fields)
        self.api.spec.validate(self.resource.create_schema, body)
        request_hash = "" if idempotency_key is None else _request_hash(body)
        body = self.view.to_stored(body)
        for declared in self.resource.checks:
            declared(body)
        for check in self.behaviour.check_create:
            check(body)
        access = self.access if caller is not None else None
        # Idempotency keys are per party: another party's key never replays this one's answer.
        party = caller.party if caller is not None else None
        key_scope = f"{self.name}@{party}" if party else self.name

        def job(connection: Connection) -> Written:
            if idempotency_key is not None:
                earlier = find_response(connection, key_scope, idempotency_key)
                if earlier is not None:
                    return self._replay(earlier, request_hash)
            if access is not None and caller is not None:
                access.check_create(connection, body, caller)
            written = Written.of(self._created(connection, body))
            if idempotency_key is not None:  # the answer a replay gives: this version's
                written = self.view.written(written, selected)
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
        self._committed()
        if idempotency_key is None:  # translated outside the writer's lock
            written = self.view.written(written, selected)
        return written

    def _created(self, connection: Connection, body: dict[str, Any]) -> Created:
        if self.behaviour.create is not None:
            return self.behaviour.create(connection, body)
        return Created(self.repository.insert(connection, body))

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
            table = self.repository.table
            stored = await self.database.read(lambda c: table.get(c, id_), snapshot=False)
        if stored is None:
            raise not_found(f"{self.resource.entity} '{id_}'")
        if selected is None and not self.view.reworks(stored.doc):
            return Written(stored.doc.encode(), stored.version)
        shown = self.view.shown(msgspec.json.decode(stored.doc))
        return Written(
            encode(shown if selected is None else project(shown, selected)), stored.version
        )

    def _answer_fields(self, fields: str | None) -> frozenset[str] | None:
        """`fields` on a POST or PATCH answer (a v5 file lists it there; v4 ones do not)."""
        if fields is None or not self.view.fields_on_writes:
            return None
        return parse_fields(fields, self.shape)

    async def list(
        self, params: list[tuple[str, str]], caller: Caller | None = None, counted: bool = True
    ) -> Page:
        query: ListQuery = self.view.stored_query(parse_list_query(params, self.shape))
        if caller is not None and caller.party and self.access is not None:
            docs, total = await self.database.read(
                lambda c: self._narrowed(c, query, caller, counted)
            )
        else:
            docs, total = await self.database.read(
                lambda c: self.repository.list(c, query, counted=counted)
            )
        if query.fields is None and not any(self.view.reworks(doc) for doc in docs):
            body = b"[" + ",".join(docs).encode() + b"]"
        else:
            shown = [self.view.shown(msgspec.json.decode(doc)) for doc in docs]
            selected = query.fields
            body = encode(shown if selected is None else [project(d, selected) for d in shown])
        return Page(body, total, len(docs))

    async def count_states(
        self,
        params: Sequence[tuple[str, str]],
        caller: Caller | None = None,
        states: Sequence[str] = (),
    ) -> dict[str, int]:
        """How many entities a list with these filters finds, per state (`states`: the ones
        that may be counted one by one, DocumentTable.count_states)."""
        query: ListQuery = self.view.stored_query(parse_list_query(params, self.shape))
        table = self.repository.table
        if caller is not None and caller.party and self.access is not None:
            access = self.access

            def narrowed(connection: Connection) -> dict[str, int]:
                found = access.narrow(connection, query, caller)
                return {} if found is None else table.count_states(connection, *found)

            return await self.database.read(narrowed)
        return await self.database.read(lambda c: table.count_states(c, query, states=states))

    def _visible(self, connection: Connection, id_: str, caller: Caller) -> StoredDocument | None:
        stored = self.repository.get(connection, id_)
        if stored is None or self.access is None:
            return stored
        document = msgspec.json.decode(stored.doc)
        return stored if self.access.sees(connection, document, caller) else None

    def _narrowed(
        self, connection: Connection, query: ListQuery, caller: Caller, counted: bool = True
    ) -> _Docs:
        assert self.access is not None
        narrowed = self.access.narrow(connection, query, caller)
        if narrowed is None:
            return [], 0
        return self.repository.list(connection, narrowed[0], narrowed[1], counted)

    # --- patch and delete ------------------------------------------------------------------

    async def patch(
        self,
        id_: str,
        patch: Patch,
        if_match: str | None,
        caller: Caller | None = None,
        fields: str | None = None,
    ) -> Written:
        refuse_non_patchable(patch.touched_attributes(), self.non_patchable)
        selected = self._answer_fields(fields)
        access = self.access if caller is not None else None
        mandatory = self.api.spec.mandatory(self.resource.entity)
        kept = self.kept

        def job(connection: Connection) -> Written:
            stored = self._existing(connection, id_, if_match, caller)
            original = self.view.shown(msgspec.json.decode(stored.doc))
            present = frozenset(original)
            document = patch.apply(original)
            kept.refuse_given(document)  # shown without them: any there is the client's
            refuse_removal(mandatory, present, document)
            if document.get("id") != id_:
                raise bad_request("id cannot be changed", "nonPatchableAttribute")
            repository = self.repository
            prepare_update(repository.kind, document, now=now_instant(), shape=self.shape)
            self.api.spec.validate(self.resource.entity, document)
            # Valid, dates in their canonical form: an item given back as shown is unchanged.
            check_started_items(repository.kind, original, document)
            document = self.view.to_stored(document)
            for declared in self.resource.checks:
                declared(document)
            check_client_change(repository.kind, stored.doc, document)
            if kept.in_text(stored.doc):  # decoded again only when there is something kept
                kept.carry_over(msgspec.json.decode(stored.doc), document)
            if access is not None and caller is not None:
                access.check_kept(connection, document, caller)
            saved = repository.replace(connection, stored, document)
            for hook in self.behaviour.on_patch:
                hook(connection, msgspec.json.decode(stored.doc), document)
            repository.written(connection, document)
            if access is not None and caller is not None:
                touched = ",".join(sorted(patch.touched_attributes()))
                access.written(connection, caller, "update", id_, touched)
            return self.view.written(Written(saved.text, saved.version), selected)

        written = await self.database.write(job)
        self._committed()
        return written

    async def delete(
        self, id_: str, if_match: str | None = None, caller: Caller | None = None
    ) -> None:
        def job(connection: Connection) -> None:
            stored = self._existing(connection, id_, if_match, caller)
            if self.behaviour.check_delete:
                document = msgspec.json.decode(stored.doc)
                for check in self.behaviour.check_delete:
                    check(connection, document)
            self.repository.delete(connection, stored)
            for hook in self.behaviour.on_delete:
                hook(connection, id_)
            if caller is not None and self.access is not None:
                self.access.written(connection, caller, "delete", id_, None)

        await self.database.write(job)
        self._committed()

    def _committed(self) -> None:
        for listener in self.behaviour.committed:
            listener()

    def _existing(
        self,
        connection: Connection,
        id_: str,
        if_match: str | None,
        caller: Caller | None = None,
    ) -> StoredDocument:
        stored = self.repository.get(connection, id_, for_update=True)
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
