"""The commands that talk to a running Cascade over HTTP: every failure is one line on stderr
and status 1, never a traceback (no server, a bad URL, 401, 403, 404, 5xx, not Cascade)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import fresh_database_url
from tests.e2e.server import free_port, running_server

HTTP_COMMANDS = [
    ["order", "watch", "o-1", "--once"],
    ["order", "watch", "o-1"],
    ["order", "release", "o-1"],
    ["order", "release", "o-1", "--service-order"],
]


def cascade(*args: str) -> subprocess.CompletedProcess[str]:
    """`cascade ARGS` as a user runs it, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "cascade.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one error line a failed command printed (and nothing else on stderr)."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("command", HTTP_COMMANDS, ids=" ".join)
def test_no_server_there_is_one_line(command: list[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # reserved for this session, nobody listens
    line = one_line(cascade(*command, "--url", url))
    assert line.startswith(f"error: cannot reach Cascade at {url}: "), line
    assert "CASCADE_URL" in line


def test_the_default_url_is_tried_and_named_when_nothing_serves_it() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "CASCADE_URL"}
    try:
        with_server = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "http://127.0.0.1:8000/health"], check=False
        )
    except FileNotFoundError:
        with_server = None
    if with_server is not None and with_server.returncode == 0:
        pytest.skip("something serves 127.0.0.1:8000 on this machine")
    result = subprocess.run(
        [sys.executable, "-m", "cascade.cli", "order", "watch", "o-1", "--once"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    assert one_line(result).startswith("error: cannot reach Cascade at http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("command", "url"),
    [
        (HTTP_COMMANDS[0], "localhost:8000"),
        (HTTP_COMMANDS[0], "http://"),
        (HTTP_COMMANDS[2], "ftp://127.0.0.1"),
    ],
    ids=("watch-no-scheme", "watch-no-host", "release-ftp"),
)
def test_a_bad_url_is_one_line(command: list[str], url: str) -> None:
    line = one_line(cascade(*command, "--url", url))
    assert f"'{url}' is not a URL Cascade can be reached at" in line


class _NotCascade(BaseHTTPRequestHandler):
    """Answers by path: under `/bad-gateway/` a proxy's HTML error page, else 200 not JSON."""

    def _answer(self) -> None:
        status = 502 if "/bad-gateway/" in self.path else 200
        body = b"<html><body><h1>It works</h1>\n</body></html>"
        if status == 502:
            body = b"<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"
        self.send_response(status)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def not_cascade() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotCascade)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("command", HTTP_COMMANDS[::2], ids=" ".join)
def test_a_server_that_is_not_cascade_is_one_line(command: list[str], not_cascade: str) -> None:
    line = one_line(cascade(*command, "--url", not_cascade))
    assert "is --url right?" in line, line
    gateway = one_line(cascade(*command, "--url", f"{not_cascade}/bad-gateway"))
    assert gateway.startswith("error: 502 Bad Gateway: <html><head><title>502"), gateway
    assert gateway.endswith("(the server failed; its log says why)"), gateway


def test_refusals_and_unknown_orders_are_one_line(tmp_path: Path, backend: str) -> None:
    url = fresh_database_url(backend, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running_server(url, port, "--auth", "apikey", log=tmp_path / "server.log"):
        reader = _key(url, "productOrdering:read")
        other = _key(url, "catalog:read")
        no_key = one_line(cascade("order", "watch", "o-1", "--once", "--url", base))
        wrong_scope = one_line(
            cascade("order", "watch", "o-1", "--once", "--url", base, "--api-key", other)
        )
        unknown = one_line(
            cascade("order", "watch", "o-1", "--once", "--url", base, "--api-key", reader)
        )
        read_only = one_line(cascade("order", "release", "o-1", "--url", base, "--api-key", reader))
    assert no_key.startswith("error: 401 Unauthorized: "), no_key
    assert no_key.endswith("give --api-key or set CASCADE_API_KEY)"), no_key
    assert wrong_scope.startswith("error: 403 Forbidden: "), wrong_scope
    assert read_only.startswith("error: 403 Forbidden: "), read_only
    assert unknown.startswith("error: 404 Not Found: "), unknown
    assert "o-1" in unknown


def _key(database_url: str, scopes: str) -> str:
    created = cascade(
        "apikey", "create", "--name", scopes, "--scopes", scopes, "--database", database_url
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def test_a_port_that_is_taken_is_one_line_for_listen() -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        line = one_line(cascade("listen", "--port", str(port)))
    assert line.startswith(f"error: cannot listen on 127.0.0.1:{port}: "), line
