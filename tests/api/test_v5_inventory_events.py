"""Inventory events per version: a v5 hub's subscriber gets v5 envelopes of a record written
through v4, a v4 hub's keeps v4 ones, each once (docs/events.md, docs/versions.md)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from tests.api.contract import api_by_code
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_events import outbox

Client = TestClient[Any]
CALLBACK = "http://127.0.0.1:9/listener"
# (v4 code, v5 code, resource, a v4 body, its create event)
CASES = [
    ("tmf637", "tmf637v5", "product", {"status": "active", "name": "Fibre"}, "ProductCreateEvent"),
    (
        "tmf638",
        "tmf638v5",
        "service",
        {"state": "active", "serviceSpecification": {"id": "ss-1"}},
        "ServiceCreateEvent",
    ),
    ("tmf639", "tmf639v5", "resource", {"name": "vlan-100"}, "ResourceCreateEvent"),
]


@pytest.mark.parametrize(("v4", "v5", "resource", "body", "created_event"), CASES)
def test_each_inventory_hub_gets_its_versions_envelope_once(
    client: Client,
    cascade: Cascade,
    official: OfficialSchemas,
    v4: str,
    v5: str,
    resource: str,
    body: dict[str, Any],
    created_event: str,
) -> None:
    api4, api5 = api_by_code(v4), api_by_code(v5)
    assert client.post(f"{api4.base_path}/hub", json={"callback": CALLBACK}).status_code == 201
    hub5 = client.post(f"{api5.base_path}/hub", json={"callback": CALLBACK, "@type": "Hub"})
    assert hub5.status_code == 201, hub5.text
    created = client.post(f"{api4.base_path}/{resource}", json=body).json()
    recorded = outbox(cascade, created["id"])
    assert sorted((api, kind) for api, kind, _ in recorded) == [
        (v4, created_event),
        (v5, created_event),
    ]
    for api, event_type, envelope in recorded:
        if api == v4:
            official.check(api4.spec_file, event_type, envelope)
            assert "@type" not in envelope
            continue
        official.check(api5.spec_file, event_type, envelope)
        assert envelope["@type"] == event_type
        assert envelope["source"]["id"] == created["id"]
        shown = client.get(f"{api5.base_path}/{resource}/{created['id']}").json()
        assert envelope["event"][resource] == shown
