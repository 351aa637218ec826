"""`cascade listen` prints each event it receives and whether its signature is valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from cascade.events.signing import sign
from tests.e2e.server import free_port
from tests.events.conftest import CREATES, TIMEOUT, new_offering, subscribe
from tests.fulfilment.conftest import Chain

SECRET = "listen-secret-0123456789"


class Output:
    """The lines a process prints, read in the background."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.lines)


@pytest.fixture
def listening() -> Iterator[tuple[str, Output]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cascade.cli", "listen", "--port", str(port), "--secret", SECRET],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    output = Output(process)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + TIMEOUT
        while "listening on" not in output.text():
            assert process.poll() is None, f"cascade listen exited: {output.text()}"
            assert time.monotonic() < deadline, "cascade listen did not start"
            time.sleep(0.05)
        yield url, output
    finally:
        process.kill()
        process.wait(timeout=10)


def post(url: str, event_type: str, secret: str | None) -> str:
    event_id = str(uuid.uuid4())
    body = json.dumps(
        {"eventId": event_id, "eventType": event_type, "event": {"productOrder": {"id": "o1"}}}
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Cascade-Event-Id": event_id,
        "X-Cascade-Event-Type": event_type,
        "X-Cascade-Timestamp": timestamp,
    }
    if secret is not None:
        headers["X-Cascade-Signature"] = sign(secret, timestamp, body)
    response = httpx.post(url, content=body, headers=headers, timeout=10)
    assert response.status_code == 201
    return event_id


def block_of(output: Output, event_id: str) -> str:
    """The lines printed for one event, once they are all there."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        blocks = output.text().split("--- ")
        found = [b for b in blocks if event_id in b.split("\n", 1)[0]]
        if found and "signature:" in found[0]:
            return found[0]
        assert time.monotonic() < deadline, f"{event_id} not printed: {output.text()}"
        time.sleep(0.05)


def test_listen_prints_events_and_checks_their_signatures(
    listening: tuple[str, Output],
) -> None:
    url, output = listening
    good = post(url, "ProductOrderCreateEvent", SECRET)
    bad = post(url, "ProductOrderStateChangeEvent", "not-the-listeners-secret")
    unsigned = post(url, "ProductOrderDeleteEvent", None)

    printed = block_of(output, good)
    assert printed.startswith(f"ProductOrderCreateEvent {good}")
    assert "signature: valid" in printed
    assert '"id": "o1"' in printed, "the body is printed"
    printed = block_of(output, bad)
    assert printed.startswith("ProductOrderStateChangeEvent")
    assert "signature: INVALID" in printed
    assert "signature: INVALID" in block_of(output, unsigned)


def test_listen_verifies_what_cascade_sends(listening: tuple[str, Output], chain: Chain) -> None:
    url, output = listening
    subscribe(chain.client, "tmf620", url, query=CREATES, secret=SECRET)
    offering = new_offering(chain.client, "heard")
    deadline = time.monotonic() + TIMEOUT
    while offering["id"] not in output.text():
        assert time.monotonic() < deadline, f"no event printed: {output.text()}"
        time.sleep(0.05)
    (printed,) = [b for b in output.text().split("--- ") if offering["id"] in b]
    assert printed.startswith("ProductOfferingCreateEvent ")
    assert "signature: valid" in printed
