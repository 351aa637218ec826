"""`cascade order watch` shows a real server's order tree with every node's state."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.waiting import HTTP_TIMEOUT_S, PATIENCE_S

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
            timeout=HTTP_TIMEOUT_S,
        ).json()
        deadline = time.monotonic() + PATIENCE_S
        while (
            httpx.get(f"{base}{ORDERS}/{order['id']}", timeout=HTTP_TIMEOUT_S).json()["state"]
            != "completed"
        ):
            assert time.monotonic() < deadline, "the order did not complete"
            time.sleep(0.1)
        result = watch(order["id"], base)
        missing = watch("nope", base)
    assert result.returncode == 0, result.stderr
    for expected in (order["id"], *EXPECTED):
        assert expected in result.stdout, result.stdout
    assert missing.returncode == 1
    assert "404" in missing.stderr
