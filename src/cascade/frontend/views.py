"""One API version's view of a kind's stored documents, as the front end applies it.

Without a `View` (every v4 API) a document is shown as stored and a retrieve stays byte for
byte; with one (TMF v5) bodies are translated to the stored form before the checks, and
every answer back (docs/versions.md). Either way what Cascade keeps on an order's items for
itself (tmf/kept.py) is left out of every answer.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from cascade.frontend.types import Written
from cascade.tmf.declarations import StoredSchema, View
from cascade.tmf.documents import project
from cascade.tmf.errors import bad_request
from cascade.tmf.kept import KeptAttributes
from cascade.tmf.query import AnyOf, Condition, ListQuery, SortKey
from cascade.tmf.schema import ResolvedPath


class Translation:
    """A resource's view applied: `shown`, `to_stored`, answers and list queries."""

    def __init__(
        self,
        view: View | None,
        fields_on_writes: bool,
        hrefs: tuple[str, str] = ("", ""),
        stored_schema: StoredSchema | None = None,
        kept: KeptAttributes | None = None,
    ) -> None:
        self.view = view
        self.kept = kept if kept else None
        self.stored_schema = stored_schema
        self.fields_on_writes = fields_on_writes
        self.stored_href, self.shown_href = hrefs  # collection URLs: the stored, this view's

    @property
    def translates(self) -> bool:
        return self.view is not None

    def reworks(self, stored: str | bytes) -> bool:
        """Whether the stored JSON text is shown other than byte for byte (translated, or
        carrying what Cascade keeps for itself)."""
        return self.view is not None or (self.kept is not None and self.kept.in_text(stored))

    def shown(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The stored document (the caller's own: changed in place) in this version, its
        `href` pointing at this version, without what Cascade keeps for itself."""
        if self.kept is not None:
            self.kept.conceal(stored)
        if self.view is None:
            return stored
        shown = self.view.show(stored)
        href = shown.get("href")
        if isinstance(href, str):
            shown["href"] = self.href(href)
        return shown

    def href(self, stored: str) -> str:
        """A stored `href` (pointing at the first view of the kind) pointing at this view."""
        if self.view is None or not self.stored_href or not stored.startswith(self.stored_href):
            return stored
        return self.shown_href + stored.removeprefix(self.stored_href)

    def to_stored(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document (the caller's own: changed in place) in its stored form, which must
        stay valid for the version it is stored as (`stored_schema`: a 400 otherwise)."""
        if self.view is None:
            return document
        stored = self.view.store(document)
        if self.stored_schema is not None:
            self.stored_schema.check(stored)
        return stored

    def written(self, written: Written, fields: frozenset[str] | None) -> Written:
        """A create's or patch's answer in this version, only `fields` if asked."""
        if fields is None and not self.reworks(written.body):
            return written
        shown = self.shown(msgspec.json.decode(written.body))
        body = msgspec.json.encode(shown if fields is None else project(shown, fields))
        location = self.href(written.location) if written.location else written.location
        return dataclasses.replace(written, body=body, location=location)

    def stored_query(self, query: ListQuery) -> ListQuery:
        """The query with every attribute named where it is stored (`creationDate` ->
        `orderDate`), a filter on a derived one in stored terms (`availabilityStatus=online`:
        `resourceStatus` `available`, ...); `fields` stay this version's, applied to the
        documents shown. Sorting on a derived attribute is a 400."""
        view = self.view
        if view is None:
            return query

        def path(attribute: str, resolved: ResolvedPath) -> tuple[str, ResolvedPath]:
            stored = view.stored_path(attribute)
            if stored == attribute:
                return attribute, resolved
            segments = tuple(stored.split("."))
            return stored, dataclasses.replace(resolved, segments=segments)

        conditions: list[Condition] = []
        alternatives: list[AnyOf] = list(query.alternatives)
        for c in query.conditions:
            if view.derives(c.attribute):
                alternatives.append(view.derived_filter(c))
            else:
                conditions.append(Condition(*path(c.attribute, c.path), c.op, c.values))
        for key in query.sort:
            if view.derives(key.attribute):
                raise bad_request(
                    f"Cannot sort on '{key.attribute}': this version derives it from other "
                    "stored attributes (docs/versions.md)",
                    "invalidSort",
                )
        sort = tuple(SortKey(*path(k.attribute, k.path), k.descending) for k in query.sort)
        return dataclasses.replace(
            query, conditions=tuple(conditions), sort=sort, alternatives=tuple(alternatives)
        )
