"""Which hosts a `/hub` callback may target, so the hub cannot reach what an operator forbids.

`hub_allowed_hosts` (CASCADE_HUB_ALLOWED_HOSTS) is a comma-separated list of host names
(`listener.example.com`, `*.example.com`), addresses and networks (`10.1.2.3`, `10.0.0.0/8`),
or `*` for any host. Unset, callbacks may target public addresses only, plus loopback when the
server itself listens on loopback (a developer's machine). Host names are resolved when the
subscription is created and again before every delivery, and every address they resolve to
must be allowed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cascade.tmf.errors import bad_request

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]


def resolve(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class CallbackPolicy:
    allowed: tuple[str, ...] | None = None  # None: public addresses (and loopback if local)
    allow_loopback: bool = False
    resolver: Resolver = resolve

    @classmethod
    def from_setting(cls, setting: str | None, *, server_on_loopback: bool) -> CallbackPolicy:
        if setting is None or not setting.strip():
            return cls(None, server_on_loopback)
        entries = tuple(part.strip().lower() for part in setting.split(",") if part.strip())
        return cls(entries, server_on_loopback)

    def check(self, callback: str) -> None:
        """Raise a 400 when the callback's host is not one the hub may call."""
        refusal = self.refusal(callback, unresolved_ok=self.allowed is None)
        if refusal is not None:
            raise bad_request(refusal, "callbackNotAllowed")

    def refusal(self, callback: str, *, unresolved_ok: bool = False) -> str | None:
        """Why the hub may not call `callback`, or None when it may.

        With the default policy a name that does not resolve yet is let through at creation
        (`unresolved_ok`); the sender checks again before every delivery.
        """
        host = (urlsplit(callback).hostname or "").lower()
        if self.allowed is not None and ("*" in self.allowed or self._named(host)):
            return None
        addresses = self._addresses(host)
        if not addresses:
            return None if unresolved_ok else f"callback host '{host}' does not resolve"
        refused = [a for a in addresses if not self._address_allowed(a)]
        if refused:
            return (
                f"callback host '{host}' ({', '.join(map(str, refused))}) is not allowed by "
                "this server (hub_allowed_hosts)"
            )
        return None

    def _named(self, host: str) -> bool:
        assert self.allowed is not None
        for entry in self.allowed:
            if entry == host or (entry.startswith("*.") and host.endswith(entry[1:])):
                return True
        return False

    def _addresses(self, host: str) -> list[IpAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        found = []
        for text in self.resolver(host):
            try:
                found.append(ipaddress.ip_address(text.split("%")[0]))
            except ValueError:
                continue
        return found

    def _address_allowed(self, address: IpAddress) -> bool:
        if self.allowed is not None:
            return any(_in(address, entry) for entry in self.allowed)
        if address.is_loopback:
            return self.allow_loopback
        return address.is_global


def _in(address: IpAddress, entry: str) -> bool:
    try:
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False


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
