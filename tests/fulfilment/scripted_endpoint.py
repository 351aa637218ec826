"""A stand-in TMF640/TMF702 endpoint on loopback that answers as told and records what it got."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import msgspec

Mode = Literal["fail500", "inerror"]


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    idempotency_key: str | None
    body: dict[str, Any] | None
    authorization: str | None = None


@dataclass
class ScriptedEndpoint:
    """`fail500`: every POST answers 500. `inerror`: a POST answers 202 with only a Location;
    the monitor there is InProgress on the first GET, InError after."""

    mode: Mode
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.method == "POST"]

    def answer(
        self, method: str, path: str, key: str | None, raw: bytes, authorization: str | None
    ) -> tuple[int, Any, dict[str, str]]:
        body = msgspec.json.decode(raw) if raw else None
        with self._lock:
            self.received.append(Received(method, path, key, body, authorization))
            gets = sum(1 for r in self.received if r.method == "GET" and r.path == path)
            posts = len([r for r in self.received if r.method == "POST"])
        if method == "POST" and self.mode == "fail500":
            refusal = {
                "code": "internalError",
                "reason": "Internal Server Error",
                "message": "boom",
            }
            return 500, refusal, {}
        if method == "POST":
            return 202, None, {"Location": f"{self.base_url}/monitor/{posts}"}
        if gets == 1:
            return 200, {"id": path, "href": f"{self.base_url}{path}", "state": "InProgress"}, {}
        error = msgspec.json.encode({"code": "refused", "message": "the OLT refused it"}).decode()
        monitor = {
            "id": path,
            "href": f"{self.base_url}{path}",
            "state": "InError",
            "response": {"statusCode": "500", "header": [], "body": error},
        }
        return 200, monitor, {}


@contextmanager
def scripted_endpoint(mode: Mode) -> Iterator[ScriptedEndpoint]:
    endpoint = ScriptedEndpoint(mode)

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, body, headers = endpoint.answer(
                self.command,
                self.path,
                self.headers.get("Idempotency-Key"),
                raw,
                self.headers.get("Authorization"),
            )
            content = b"" if body is None else msgspec.json.encode(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        do_GET = _serve  # noqa: N815 - http.server's naming
        do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
