"""`cascade listen`: a small listener that prints every event it receives (for integrators).

It answers 201 to any POST, prints the event type, id and body, and, given the subscription's
secret, whether the signature is valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cascade.events.signing import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)

MAX_BODY = 10_000_000


def describe(headers: dict[str, str], body: bytes, secret: str | None) -> str:
    """One printed record of a received event."""
    try:
        event = json.loads(body)
        event_type = event.get("eventType", "?") if isinstance(event, dict) else "?"
        pretty = json.dumps(event, indent=2, sort_keys=True)
    except ValueError:
        event_type, pretty = "(not JSON)", body.decode(errors="replace")
    lines = [f"--- {event_type} {headers.get(EVENT_ID_HEADER.lower(), '')}".rstrip()]
    if secret is not None:
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        timestamp = headers.get(TIMESTAMP_HEADER.lower(), "")
        valid = bool(signature) and verify(secret, timestamp, body, signature)
        lines.append(f"signature: {'valid' if valid else 'INVALID'}")
    lines.append(pretty)
    return "\n".join(lines)


def make_server(
    host: str, port: int, secret: str | None, out: Callable[[str], None]
) -> ThreadingHTTPServer:
    class Listener(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            out(describe(headers, body, secret))
            self.send_response(201)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return  # the events are the output

    return ThreadingHTTPServer((host, port), Listener)
