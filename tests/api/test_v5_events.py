"""Events per version: a v5 hub's subscriber gets v5 envelopes, a v4 hub's keeps v4 ones, each
once for the same change, whichever version made it (docs/events.md, docs/versions.md)."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import select

from cascade.bootstrap import Cascade
from cascade.storage.tables import event_outbox
from tests.api.official_schemas import OfficialSchemas
from tests.api.test_v5_ordering import V4, V4_FILE, V5, V5_FILE, TestProductOrderV5

Client = TestClient[Any]


def outbox(cascade: Cascade, entity_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(api, event type, envelope) of every event recorded for one entity, oldest first."""
    rows = cascade.database.read_sync(
        lambda c: c.execute(
            select(event_outbox.c.api, event_outbox.c.event_type, event_outbox.c.envelope)
            .where(event_outbox.c.entity_id == entity_id)
            .order_by(event_outbox.c.seq)
        ).all()
    )
    return [(row.api, row.event_type, json.loads(row.envelope)) for row in rows]


def subscribe_both(client: Client) -> None:
    callback = "http://127.0.0.1:9/listener"
    assert client.post(f"{V4}/hub", json={"callback": callback}).status_code == 201
    v5 = client.post(f"{V5}/hub", json={"callback": callback, "@type": "Hub"})
    assert v5.status_code == 201, v5.text


def test_each_hub_gets_its_versions_envelope_once(
    client: Client, cascade: Cascade, official: OfficialSchemas
) -> None:
    subscribe_both(client)
    created = client.post(f"{V5}/productOrder", json=TestProductOrderV5.body).json()
    patched = client.patch(
        f"{V4}/productOrder/{created['id']}", json={"description": "seen by both"}
    )
    assert patched.status_code == 200, patched.text
    recorded = outbox(cascade, created["id"])
    assert sorted((api, kind) for api, kind, _ in recorded) == [
        ("tmf622", "ProductOrderAttributeValueChangeEvent"),
        ("tmf622", "ProductOrderCreateEvent"),
        ("tmf622v5", "ProductOrderAttributeValueChangeEvent"),
        ("tmf622v5", "ProductOrderCreateEvent"),
    ]
    for api, event_type, envelope in recorded:
        order = envelope["event"]["productOrder"]
        if api == "tmf622":
            official.check(V4_FILE, event_type, envelope)
            assert "orderDate" in order and "@type" not in envelope
            continue
        official.check(V5_FILE, event_type, envelope)
        assert envelope["@type"] == event_type
        assert envelope["source"] == {
            "@type": "EntityRef",
            "id": created["id"],
            "href": created["href"],
            "@referredType": "ProductOrder",
        }
        assert envelope["reportingSystem"]["id"] == "cascade"
        assert envelope["timeOccurred"] == envelope["eventTime"]
        assert "creationDate" in order and "orderDate" not in order
        assert order["relatedParty"] == TestProductOrderV5.body["relatedParty"]


def test_no_v5_envelope_without_a_v5_subscriber(client: Client, cascade: Cascade) -> None:
    assert client.post(f"{V4}/hub", json={"callback": "http://127.0.0.1:9/l"}).status_code == 201
    created = client.post(f"{V5}/productOrder", json=TestProductOrderV5.body).json()
    assert [(api, kind) for api, kind, _ in outbox(cascade, created["id"])] == [
        ("tmf622", "ProductOrderCreateEvent")
    ]
