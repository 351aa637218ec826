"""Every delivery is signed with its subscription's secret; the secret is shown only once."""

from __future__ import annotations

import time
from typing import Any

import pytest

from cascade.events.signing import verify
from tests.events.conftest import BASES, CREATES, Listener, Received, new_offering, subscribe
from tests.fulfilment.conftest import Chain

HUB = f"{BASES['tmf620']}/hub"
OWN_SECRET = "a-secret-chosen-by-the-subscriber-0123"


def signature_of(received: Received) -> tuple[str, str]:
    return received.headers["x-cascade-timestamp"], received.headers["x-cascade-signature"]


def test_the_generated_secret_verifies_every_delivery(chain: Chain, listener: Listener) -> None:
    created = subscribe(chain.client, "tmf620", listener.url(), query=CREATES)
    secret = created["secret"]
    assert isinstance(secret, str) and len(secret) >= 16
    new_offering(chain.client, "signed")
    received = listener.wait(lambda r: len(r) == 1, what="the signed event")[0]
    timestamp, signature = signature_of(received)
    assert signature.startswith("sha256=")
    assert abs(int(timestamp) - time.time()) < 300
    assert verify(secret, timestamp, received.body, signature), "the signature must verify"

    altered = bytearray(received.body)
    altered[len(altered) // 2] ^= 0x01
    assert not verify(secret, timestamp, bytes(altered), signature), "one byte changed"
    assert not verify(secret + "x", timestamp, received.body, signature), "another secret"
    assert not verify(secret, str(int(timestamp) + 1), received.body, signature), "timestamp"


def test_a_subscribers_own_secret_signs_and_is_never_shown(
    chain: Chain, listener: Listener
) -> None:
    own = subscribe(chain.client, "tmf620", listener.url("/own"), CREATES, secret=OWN_SECRET)
    generated = subscribe(chain.client, "tmf620", listener.url("/generated"), CREATES)
    assert "secret" not in own, "a secret the subscriber chose is not echoed"
    for subscription in (own, generated):
        shown = chain.client.get(f"{HUB}/{subscription['id']}")
        assert shown.status_code == 200, shown.text
        assert "secret" not in shown.json(), "GET /hub/{id} must never show a secret"
        assert OWN_SECRET not in shown.text and generated["secret"] not in shown.text
    listed = chain.client.get(HUB)
    assert OWN_SECRET not in listed.text and generated["secret"] not in listed.text
    assert all("secret" not in s for s in listed.json())

    new_offering(chain.client, "signed twice")
    listener.wait(lambda r: len(r) == 2, what="one event per subscription")
    (mine,) = listener.received("/own")
    (theirs,) = listener.received("/generated")
    assert verify(OWN_SECRET, *_args(mine))
    assert not verify(generated["secret"], *_args(mine))
    assert verify(generated["secret"], *_args(theirs))
    assert not verify(OWN_SECRET, *_args(theirs))


def _args(received: Received) -> tuple[str, bytes, str]:
    timestamp, signature = signature_of(received)
    return timestamp, received.body, signature


@pytest.mark.parametrize("secret", ["x" * 15, "x" * 257, 12345678901234567890, ["a" * 20]])
def test_an_unusable_secret_is_refused(chain: Chain, listener: Listener, secret: Any) -> None:
    response = chain.client.post(HUB, json={"callback": listener.url(), "secret": secret})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalidSecret"
    assert chain.client.get(HUB).json() == []
