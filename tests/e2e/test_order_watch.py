"""`cascade order watch` shows a real server's order tree with every node's state."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from cascade.cli import app
from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"


def test_order_watch_prints_the_tree_of_a_fulfilled_order(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--demo", log=tmp_path / "server.log"):
        order = httpx.post(
            base + ORDERS,
            json={
                "productOrderItem": [
                    {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
                ]
            },
        ).json()
        deadline = time.monotonic() + 60
        while httpx.get(f"{base}{ORDERS}/{order['id']}").json()["state"] != "completed":
            assert time.monotonic() < deadline, "the order did not complete"
            time.sleep(0.1)
        result = CliRunner().invoke(
            app, ["order", "watch", order["id"], "--url", base, "--once"], terminal_width=200
        )
        missing = CliRunner().invoke(app, ["order", "watch", "nope", "--url", base, "--once"])
    assert result.exit_code == 0, result.output
    for expected in (
        order["id"],
        "completed",
        "Internet Access",
        "GPON Port",
        "vlanId=",
        "available",
    ):
        assert expected in result.output, result.output
    assert missing.exit_code == 1
    assert "404" in missing.output
