"""The catalogs as the decomposition sees them: documents read from the TMF620/633/634 stores."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.decomposition import CatalogByKind
from cascade.repositories import Repositories


class CatalogCache:
    """Catalog documents read in the last `ttl_s` seconds (absent ones too).

    Every step reads the same few specifications; on PostgreSQL each read is a round trip.
    A catalog write in this process clears the cache at once; one made by another process is
    seen within `ttl_s`. Cached documents are shared: callers must not change them.
    """

    def __init__(self, ttl_s: float = 2.0) -> None:
        self.ttl_s = ttl_s
        self._entries: dict[tuple[str, str], tuple[float, Mapping[str, Any] | None]] = {}

    def get(
        self, kind: str, id_: str, load: Callable[[], Mapping[str, Any] | None]
    ) -> Mapping[str, Any] | None:
        now = time.monotonic()
        entry = self._entries.get((kind, id_))
        if entry is not None and now - entry[0] < self.ttl_s:
            return entry[1]
        document = load()
        self._entries[(kind, id_)] = (now, document)
        return document

    def clear(self, *_: object) -> None:
        """Forget everything (the composition root calls it on every catalog write)."""
        self._entries.clear()


class StoredCatalog(CatalogByKind):
    """Catalog look-ups on one connection (inside the controller's transaction)."""

    def __init__(
        self,
        connection: Connection,
        repositories: Repositories,
        cache: CatalogCache | None = None,
    ) -> None:
        self._connection = connection
        self._repositories = repositories
        self._cache = cache

    def document(self, kind: str, id_: str) -> Mapping[str, Any] | None:
        entities = self._repositories.named(kind)
        if self._cache is None:
            return entities.peek(self._connection, id_)
        return self._cache.get(kind, id_, lambda: entities.peek(self._connection, id_))
