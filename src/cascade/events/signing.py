"""Signed deliveries: an HMAC-SHA256 of the timestamp and body, with the subscription's secret.

A listener recomputes `sha256=<hex HMAC(secret, "<X-Cascade-Timestamp>." + body)>` and compares
it with `X-Cascade-Signature` in constant time; it may also refuse old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Cascade-Signature"
TIMESTAMP_HEADER = "X-Cascade-Timestamp"
EVENT_ID_HEADER = "X-Cascade-Event-Id"
EVENT_TYPE_HEADER = "X-Cascade-Event-Type"
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 256


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
