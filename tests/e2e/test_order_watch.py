"""`cascade order watch` shows a real server's order tree with every node's state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.waiting import HTTP_TIMEOUT_S, until

TERMINAL = ("completed", "failed", "partial", "rejected", "cancelled")

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
EXPECTED = ("completed", "Internet Access", "GPON Port", "vlanId=", "available")


def watch(order_id: str, base: str) -> subprocess.CompletedProcess[str]:
    """`cascade order watch --once` as a user runs it, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "cascade.cli", "order", "watch", order_id, "--url", base, "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


def test_order_watch_prints_the_tree_of_a_fulfilled_order(tmp_path: Path, backend: str) -> None:
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--demo", log=tmp_path / "server.log"):
        order = place(base, {"action": "add", "productOffering": {"id": "po-fibre-broadband"}})
        product_id = completed(base, order["id"])["productOrderItem"][0]["product"]["id"]
        speed = [{"name": "downloadSpeed", "value": 1000}]
        change = place(
            base,
            {"action": "modify", "product": {"id": product_id, "productCharacteristic": speed}},
        )
        completed(base, change["id"])
        result = watch(order["id"], base)
        changed = watch(change["id"], base)
        missing = watch("nope", base)
    assert result.returncode == 0, result.stderr
    for expected in (order["id"], *EXPECTED):
        assert expected in result.stdout, result.stdout
    # A change item says what it changes: the product, and the offering it is of.
    assert changed.returncode == 0, changed.stderr
    line = changed.stdout.splitlines()[1]
    assert f"item 1 modify po-fibre-broadband (product {product_id}) completed" in line, line
    assert "None" not in changed.stdout, changed.stdout
    assert "modify CFS Internet Access" in changed.stdout, changed.stdout
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: 404 Not Found: "), missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1, missing.stderr


def place(base: str, item: dict[str, object]) -> dict[str, str]:
    response = httpx.post(
        base + ORDERS, json={"productOrderItem": [{"id": "1", **item}]}, timeout=HTTP_TIMEOUT_S
    )
    assert response.status_code == 201, response.text
    placed: dict[str, str] = response.json()
    return placed


def completed(base: str, order_id: str) -> dict[str, Any]:
    def ended() -> dict[str, Any] | None:
        found = httpx.get(f"{base}{ORDERS}/{order_id}", timeout=HTTP_TIMEOUT_S).json()
        return found if found["state"] in TERMINAL else None

    order = until(ended, f"the end of order {order_id}")
    assert order is not None and order["state"] == "completed", order
    return order
