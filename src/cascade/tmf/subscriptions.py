"""Rules for `/hub` event subscriptions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cascade.tmf.errors import bad_request


def check_callback(callback: Any) -> None:
    """A callback is an absolute http(s) URL with a host and no credentials."""
    if not isinstance(callback, str):
        raise bad_request("callback must be a URL", "invalidCallback")
    try:
        parts = urlsplit(callback)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise bad_request(f"callback '{callback}' is not an http(s) URL", "invalidCallback")
    if parts.username or parts.password:
        raise bad_request("callback must not carry credentials", "invalidCallback")
