"""`cascade serve --workers 2`: a scrape reaches either process and answers the counters of
both (prometheus_client's multiprocess mode, set up by the supervisor)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.operations.scrape import parse, value
from tests.waiting import HTTP_TIMEOUT_S

REQUESTS = 40
LIVE = {"route": "health.live", "method": "GET", "status": "200"}


def test_every_scrape_counts_the_requests_of_both_processes(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--workers", "2", log=tmp_path / "server.log"):
        for _ in range(REQUESTS):  # a new connection each: either process may take it
            assert httpx.get(f"{base}/health/live", timeout=HTTP_TIMEOUT_S).status_code == 200
        for _ in range(10):
            scraped = httpx.get(f"{base}/metrics", timeout=HTTP_TIMEOUT_S)
            assert scraped.status_code == 200
            assert value(parse(scraped.text), "cascade_http_requests_total", **LIVE) == REQUESTS
