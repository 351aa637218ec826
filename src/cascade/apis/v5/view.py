"""What every v5 view does around its own translation: copy the document, translate it in
place one way or the other, and name every object's class (`@type`) as the v5 file does
(tmf/polymorphism.py). A view is a `ResourceSpec.view` (frontend/views.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from cascade.apis.v4.v5_only import V5_ONLY_IN_V4
from cascade.tmf.polymorphism import TypeNamer
from cascade.tmf.query import AnyOf, Condition
from cascade.tmf.spec import official_definitions

Doc = dict[str, Any]
DerivedFilter = Callable[[Condition], AnyOf]


def unchanged(document: Doc) -> None:
    """A translation with nothing to change (the attribute is the same in both versions)."""


class DocumentView:
    """One v5 entity over its stored kind. `to_stored` and `from_stored` change a copy of the
    document in place; `paths` names the stored attribute of a v5 filter path; `derived` says
    a filter on an attribute v5 derives from other stored ones in stored terms."""

    def __init__(
        self,
        spec_file: str,
        entity: str,
        to_stored: Callable[[Doc], None] = unchanged,
        from_stored: Callable[[Doc], None] = unchanged,
        paths: Mapping[str, str] | None = None,
        derived: Mapping[str, DerivedFilter] | None = None,
    ) -> None:
        self.spec_file = spec_file
        self.entity = entity
        self._to_stored = to_stored
        self._from_stored = from_stored
        self._paths = paths or {}
        self._derived = derived or {}
        self._namer: TypeNamer | None = None

    @property
    def namer(self) -> TypeNamer:
        if self._namer is None:
            self._namer = TypeNamer(
                official_definitions(self.spec_file), official_definitions(self.stored_file)
            )
        return self._namer

    @property
    def stored_file(self) -> str:
        """The v4 file the documents are stored valid against (apis/v4/v5_only.py)."""
        for later in V5_ONLY_IN_V4.values():
            if later.later_file == self.spec_file:
                return later.earlier_file
        raise LookupError(f"{self.spec_file} is not paired with a v4 file in V5_ONLY_IN_V4")

    def to_stored(self, document: Doc) -> Doc:
        return self.store(copy.deepcopy(document))

    def store(self, document: Doc) -> Doc:
        self._to_stored(document)
        return document

    def from_stored(self, document: Doc) -> Doc:
        return self.show(copy.deepcopy(document))

    def show(self, document: Doc) -> Doc:
        self._from_stored(document)
        self.namer.fill(self.entity, document)
        return document

    def stored_path(self, path: str) -> str:
        """The stored path of a v5 one: `paths` names whole paths, or prefixes (ending in
        a dot: `channel.channel.` -> `channel.`), the longest first."""
        exact = self._paths.get(path)
        if exact is not None:
            return exact
        prefixes = [p for p in self._paths if p.endswith(".") and path.startswith(p)]
        if not prefixes:
            return path
        prefix = max(prefixes, key=len)
        return self._paths[prefix] + path.removeprefix(prefix)

    def derives(self, attribute: str) -> bool:
        return attribute in self._derived

    def derived_filter(self, condition: Condition) -> AnyOf:
        return self._derived[condition.attribute](condition)
