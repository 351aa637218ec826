"""The demo catalog as an in-memory `Catalog` (no database), for pure decomposition tests."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from cascade.apis import ALL_APIS
from cascade.catalogs import demo_catalog
from cascade.domain.decomposition import CatalogByKind

APIS = {api.code: api for api in ALL_APIS}


class FakeCatalog(CatalogByKind):
    def __init__(self, documents: Mapping[str, Mapping[str, list[dict[str, Any]]]] | None = None):
        source = copy.deepcopy(dict(documents or demo_catalog()))
        self.by_kind: dict[str, dict[str, dict[str, Any]]] = {}
        for code, resources in source.items():
            for name, docs in resources.items():
                kind = APIS[code].resource(name).kind.name
                self.by_kind[kind] = {doc["id"]: doc for doc in docs}

    def document(self, kind: str, id_: str) -> Mapping[str, Any] | None:
        return self.by_kind.get(kind, {}).get(id_)
