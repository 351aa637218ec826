"""Loading catalog files: `{api code: {resource: [TMF documents with their own ids]}}`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml
from sqlalchemy import Connection

from cascade.app import Services
from cascade.tmf.documents import normalize_dates
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


def load_catalog(services: Services, catalog: dict[str, Any]) -> dict[str, int]:
    """Insert or replace every entity, in one transaction; returns how many per kind."""

    def job(connection: Connection) -> dict[str, int]:
        counts: dict[str, int] = {}
        for code, resources_ in catalog.items():
            for name, documents in resources_.items():
                kind = f"{code}.{name}"
                if kind not in services.by_kind:
                    raise ValueError(f"unknown API resource '{kind}'")
                for document in documents:
                    upsert(services, kind, connection, absolute_hrefs(document, services.base_url))
                counts[kind] = len(documents)
        return counts

    return services.database.write_sync(job)


def upsert(services: Services, kind: str, connection: Connection, document: Any) -> None:
    service = services[kind]
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise ValueError(f"{kind}: every document needs a string id")
    try:
        service.api.spec.validate(service.resource.entity, document)
    except TmfError as exc:
        raise ValueError(f"{kind} '{document['id']}': {exc.message}") from None
    normalize_dates(document, service.shape)
    existing = service.table.get(connection, document["id"], for_update=True)
    if existing is None:
        service.insert_as_is(connection, document)
    else:
        service.replace_as_is(connection, existing, document)
