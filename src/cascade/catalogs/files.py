"""Loading catalog files: `{api code: {resource: [TMF documents with their own ids]}}`."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml
from sqlalchemy import Connection, select

from cascade.repositories import Repositories
from cascade.storage.database import Database
from cascade.storage.tables import entity
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.document_dates import normalize_dates
from cascade.tmf.errors import TmfError

DEMO_CATALOG = "catalog.json"


def demo_catalog() -> dict[str, Any]:
    text = resources.files("cascade.demo").joinpath(DEMO_CATALOG).read_bytes()
    loaded: dict[str, Any] = msgspec.json.decode(text)
    return loaded


class _CatalogLoader(yaml.SafeLoader):
    """YAML's safe loader, but date-times stay strings, as TMF documents carry them."""


_CatalogLoader.yaml_implicit_resolvers = {
    first: [entry for entry in resolvers if entry[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_catalog_file(path: Path) -> dict[str, Any]:
    """A catalog file in JSON, or in YAML when it is named `.yaml`/`.yml`."""
    loaded: Any
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            loaded = yaml.load(path.read_bytes(), Loader=_CatalogLoader)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from None
    else:
        try:
            loaded = msgspec.json.decode(path.read_bytes())
        except msgspec.DecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected an object keyed by API code")
    return loaded


def _named(catalog: dict[str, Any]) -> list[tuple[str, str]]:
    """The (API code, resource name) pairs a catalog file holds documents of."""
    return [(code, name) for code, resources_ in catalog.items() for name in resources_]


def absolute_hrefs(value: Any, base_url: str) -> Any:
    """Catalog files may give hrefs from the API root (`/tmf-api/...`); make them absolute."""
    if isinstance(value, dict):
        return {
            key: (
                base_url + item
                if key == "href" and isinstance(item, str) and item.startswith("/")
                else absolute_hrefs(item, base_url)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [absolute_hrefs(item, base_url) for item in value]
    return value


class CatalogLoader:
    """Loads catalog files into the repositories (each document checked against its API)."""

    def __init__(
        self,
        apis: Sequence[ApiSpec],
        repositories: Repositories,
        database: Database,
        base_url: str,
    ) -> None:
        self.apis = {api.code: api for api in apis}
        self.repositories = repositories
        self.database = database
        self.base_url = base_url.rstrip("/")

    def load(self, catalog: dict[str, Any]) -> dict[str, int]:
        """Insert or replace every entity, in one transaction; how many per API resource."""

        def job(connection: Connection) -> dict[str, int]:
            counts: dict[str, int] = {}
            for code, resources_ in catalog.items():
                for name, documents in resources_.items():
                    api, resource = self._resource(code, name)
                    for document in documents:
                        absolute = absolute_hrefs(document, self.base_url)
                        self._upsert(api, resource, connection, absolute)
                    counts[f"{code}.{name}"] = len(documents)
            return counts

        return self.database.write_sync(job)

    def load_if_empty(self, catalog: dict[str, Any]) -> dict[str, int] | None:
        """Load `catalog` only where no entity of its kinds is stored yet (None: not loaded).

        `serve --demo` on every start must not undo an operator's catalog changes.
        """
        kinds = sorted({self._resource(code, name)[1].kind.name for code, name in _named(catalog)})

        def job(connection: Connection) -> bool:
            found = select(entity.c.pk).where(entity.c.kind.in_(kinds)).limit(1)
            return connection.execute(found).first() is None

        return self.load(catalog) if self.database.read_sync(job) else None

    def _resource(self, code: str, name: str) -> tuple[ApiSpec, ResourceSpec]:
        api = self.apis.get(code)
        try:
            if api is not None:
                return api, api.resource(name)
        except KeyError:
            pass
        raise ValueError(f"unknown API resource '{code}.{name}'")

    def _upsert(
        self, api: ApiSpec, resource: ResourceSpec, connection: Connection, document: Any
    ) -> None:
        label = api.route_prefix(resource)
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise ValueError(f"{label}: every document needs a string id")
        try:
            api.spec.validate(resource.entity, document)
        except TmfError as exc:
            raise ValueError(f"{label} '{document['id']}': {exc.message}") from None
        entities = self.repositories[resource.kind]
        normalize_dates(document, entities.shape)
        existing = entities.get(connection, document["id"], for_update=True)
        if existing is None:
            entities.insert_as_is(connection, document)
        else:
            entities.replace(connection, existing, document)
