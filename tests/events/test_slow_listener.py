"""A slow listener times out and holds up only itself: others get their events at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cascade.settings import Settings
from tests.events.conftest import (
    CREATES,
    EVENTS_FAST,
    Listener,
    delivery_attempts,
    new_offering,
    subscribe,
)
from tests.fulfilment.conftest import Chain

STALL_S = 600.0  # far beyond the timeout and the test: it answers only once released
TIMEOUT_S = 2.0  # how long Cascade waits for a listener's answer


class StallingListener:
    """Accepts connections and never answers until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.requests = 0
        self.answered = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.requests += 1
                outer.release.wait(STALL_S)
                outer.answered += 1
                self.send_response(201)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/slow"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chain_settings() -> Settings:
    return replace(EVENTS_FAST, events_timeout_s=TIMEOUT_S)


@pytest.fixture
def stalling() -> Iterator[StallingListener]:
    server = StallingListener()
    try:
        yield server
    finally:
        server.close()


def test_slow_listener_times_out_without_holding_up_the_others(
    chain: Chain, listener: Listener, stalling: StallingListener
) -> None:
    subscribe(chain.client, "tmf620", stalling.url, CREATES)
    subscribe(chain.client, "tmf620", listener.url("/fast"), CREATES)
    started = time.monotonic()
    names = [f"offer-{n:02d}" for n in range(40)]
    for name in names:
        new_offering(chain.client, name)
    received = listener.wait(lambda found: len(found) >= len(names), "/fast")
    # Every event reached the fast listener while the slow one had answered nothing (it
    # answers only when the test ends), and sooner than if each had waited behind a POST to
    # the slow one timing out: that takes 40 timeouts (80 s), this takes about a second
    # (the bound leaves a loaded machine forty times that).
    assert stalling.answered == 0
    assert time.monotonic() - started < len(names) * TIMEOUT_S / 2
    assert sorted(r.event["event"]["productOffering"]["name"] for r in received) == names
    assert stalling.requests > 0
    # The slow subscriber's deliveries failed on the timeout and wait for their retry.
    chain.until(lambda: any(attempts > 0 for attempts in delivery_attempts(chain.cascade)))
