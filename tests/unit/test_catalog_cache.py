"""The controllers' catalog cache: reads once within its time to live, forgets on a write."""

from __future__ import annotations

import time
from typing import Any

from cascade.fulfilment.layers.catalog import CatalogCache


def test_reads_once_until_it_expires_or_is_cleared() -> None:
    loads: list[str] = []

    def load() -> dict[str, Any] | None:
        loads.append("x")
        return {"id": "rs-vlan", "version": str(len(loads))}

    cache = CatalogCache(ttl_s=0.2)
    first = cache.get("resourceSpecification", "rs-vlan", load)
    assert cache.get("resourceSpecification", "rs-vlan", load) is first
    assert len(loads) == 1
    cache.clear()
    assert cache.get("resourceSpecification", "rs-vlan", load) == {
        "id": "rs-vlan",
        "version": "2",
    }
    time.sleep(0.25)
    cache.get("resourceSpecification", "rs-vlan", load)
    assert len(loads) == 3


def test_an_absent_document_is_remembered_too() -> None:
    loads: list[None] = []

    def load() -> None:
        loads.append(None)

    cache = CatalogCache()
    assert cache.get("productOffering", "nope", load) is None
    assert cache.get("productOffering", "nope", load) is None
    assert len(loads) == 1
