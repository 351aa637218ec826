"""The audit trail: creates, changes, cancels and deletes, by whom and when; admin-only, and
never editable through the API."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from cascade.bootstrap import Cascade
from cascade.cli import app
from tests.security.conftest import (
    CANCEL_PO,
    PO,
    PO_HUB,
    Client,
    NewKey,
    assert_error,
    order_body,
)

AUDIT = "/cascade/audit"


def entries(client: Client, admin: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"{AUDIT}{query}", headers=admin)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_client_writes_are_recorded_with_who_what_and_when(
    apikey_client: Client, new_key: NewKey
) -> None:
    clerk = new_key("productOrdering hub:write", party="acme", name="clerk")
    admin = new_key("admin")
    order = apikey_client.post(PO, json=order_body("acme"), headers=clerk).json()
    url = f"{PO}/{order['id']}"
    patched = apikey_client.patch(url, json={"description": "x"}, headers=clerk)
    assert patched.status_code == 200
    cancel = {"productOrder": {"id": order["id"]}}
    task = apikey_client.post(CANCEL_PO, json=cancel, headers=clerk).json()
    hub = apikey_client.post(PO_HUB, json={"callback": "http://h.test/e"}, headers=clerk).json()
    assert apikey_client.delete(f"{PO_HUB}/{hub['id']}", headers=clerk).status_code == 204
    assert apikey_client.get(url, headers=clerk).status_code == 200  # reads are not recorded

    trail = entries(apikey_client, admin)
    actor = trail[0]["actor"]
    assert actor.startswith("apikey:")
    assert [(e["action"], e["kind"], e["entityId"]) for e in trail] == [
        ("delete", "tmf622.hub", hub["id"]),
        ("create", "tmf622.hub", hub["id"]),
        ("cancel", "tmf622.cancelProductOrder", task["id"]),
        ("update", "tmf622.productOrder", order["id"]),
        ("create", "tmf622.productOrder", order["id"]),
    ]
    assert {e["actor"] for e in trail} == {actor}
    assert {e["party"] for e in trail} == {"acme"}
    assert trail[2]["detail"] == f"tmf622.productOrder {order['id']}"
    assert trail[3]["detail"] == "description"
    assert all(e["at"].endswith("Z") and e["requestId"] for e in trail)
    assert [e["action"] for e in entries(apikey_client, admin, f"?entityId={order['id']}")] == [
        "update",
        "create",
    ]


def test_a_refused_write_leaves_no_entry(apikey_client: Client, new_key: NewKey) -> None:
    clerk = new_key("productOrdering", party="acme")
    admin = new_key("admin")
    assert_error(apikey_client.post(PO, json=order_body("globex"), headers=clerk), 403)
    assert_error(apikey_client.post(PO, json={"bad": 1}, headers=clerk), 400)
    assert entries(apikey_client, admin) == []


def test_only_admins_read_it_and_nobody_edits_it(apikey_client: Client, new_key: NewKey) -> None:
    clerk = new_key("productOrdering")
    admin = new_key("admin")
    apikey_client.post(PO, json=order_body(), headers=clerk)
    assert_error(apikey_client.get(AUDIT, headers=clerk), 403)
    assert_error(apikey_client.get(AUDIT), 401)
    for method in ("post", "put", "patch", "delete"):
        response = apikey_client.request(method.upper(), AUDIT, json={}, headers=admin)
        assert response.status_code == 405, method
    assert_error(apikey_client.get(f"{AUDIT}?limit=0", headers=admin), 400)
    assert_error(apikey_client.get(f"{AUDIT}?colour=red", headers=admin), 400)
    assert len(entries(apikey_client, admin)) == 1


def test_the_cli_prints_the_trail(
    apikey_client: Client, apikey_cascade: Cascade, new_key: NewKey
) -> None:
    clerk = new_key("productOrdering")
    order = apikey_client.post(PO, json=order_body(), headers=clerk).json()
    database = apikey_cascade.settings.database_url
    result = CliRunner().invoke(
        app, ["audit", "list", "--entity", order["id"], "--database", database]
    )
    assert result.exit_code == 0, result.output
    assert order["id"] in result.output and '"action": "create"' in result.output
