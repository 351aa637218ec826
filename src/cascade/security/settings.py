"""Security settings: the authentication mode, the identity provider, limits and logs.

Read by the composition root; `CASCADE_*` variables fill them for `cascade serve` (the mode also
has the `--auth` option). Mode `none` is only for a server listening on a loopback address.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, get_args

AuthMode = Literal["none", "apikey", "jwt"]
AUTH_MODES: tuple[str, ...] = get_args(AuthMode)
LogFormat = Literal["text", "json"]

DEFAULT_RATE_PER_CLIENT = 50.0  # requests per second, on non-loopback addresses
DEFAULT_ALGORITHMS = "RS256,ES256"


@dataclass(frozen=True)
class SecuritySettings:
    auth_mode: AuthMode = "none"
    # OAuth2 bearer tokens (JWT): who issues them, for whom, and the keys that sign them.
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_jwks: str | None = None  # a JWKS file path or an http(s) URL
    jwt_public_key: str | None = None  # a PEM public key file path
    jwt_algorithms: str = DEFAULT_ALGORITHMS
    jwt_party_claim: str = "party"
    jwt_leeway_s: int = 30
    jwt_token_url: str | None = None  # the provider's token endpoint, for the served OpenAPI
    api_key_cache_s: float = 5.0  # how long a verified key is trusted before a new lookup
    # Rate limit per client: None means off on loopback, DEFAULT_RATE_PER_CLIENT otherwise.
    rate_limit: float | None = None
    rate_burst: int | None = None
    audit: bool | None = None  # None: on whenever authentication is
    access_log: bool = False
    log_format: LogFormat = "text"
    # /metrics without credentials (Prometheus scrapes without a user token); False: admin only.
    metrics_public: bool = True

    @property
    def audited(self) -> bool:
        return self.auth_mode != "none" if self.audit is None else self.audit

    def rate_for(self, host: str) -> float:
        """Requests per second per client for a server listening on `host` (0: no limit)."""
        if self.rate_limit is not None:
            return max(self.rate_limit, 0.0)
        return 0.0 if is_loopback(host) else DEFAULT_RATE_PER_CLIENT

    def burst_for(self, host: str) -> int:
        rate = self.rate_for(host)
        return self.rate_burst if self.rate_burst is not None else max(1, int(rate * 2))


def is_loopback(host: str) -> bool:
    """True for `localhost`, 127.0.0.0/8 and ::1: addresses no other machine can reach."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_problem(security: SecuritySettings, host: str) -> str | None:
    """Why serving on `host` with these settings is refused, or None when it is allowed."""
    if security.auth_mode == "none" and not is_loopback(host):
        return (
            f"refusing to serve on {host} without authentication: anyone who can reach that "
            "address could read and cancel orders. Listen on 127.0.0.1 (or ::1), or choose "
            "--auth apikey or --auth jwt (see docs/security.md)."
        )
    if security.auth_mode == "jwt" and not (security.jwt_jwks or security.jwt_public_key):
        return "--auth jwt needs CASCADE_JWT_JWKS (file or URL) or CASCADE_JWT_PUBLIC_KEY (PEM)"
    if security.auth_mode == "jwt" and not (security.jwt_issuer and security.jwt_audience):
        return "--auth jwt needs CASCADE_JWT_ISSUER and CASCADE_JWT_AUDIENCE"
    return None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _mode(text: str) -> str:
    if text not in AUTH_MODES:
        raise ValueError(text)
    return text


def _log_format(text: str) -> str:
    if text not in ("text", "json"):
        raise ValueError(text)
    return text


_PARSERS: dict[str, Any] = {
    "auth_mode": _mode,
    "jwt_leeway_s": int,
    "api_key_cache_s": float,
    "rate_limit": float,
    "rate_burst": int,
    "audit": _boolean,
    "access_log": _boolean,
    "log_format": _log_format,
    "metrics_public": _boolean,
}
# CASCADE_AUTH is the `--auth` option's variable; the others are read here.
_VARIABLES = {"auth_mode": "CASCADE_AUTH"}


def security_from_environment(
    base: SecuritySettings | None = None, environ: Mapping[str, str] | None = None
) -> SecuritySettings:
    """`base` with the values set by `CASCADE_JWT_ISSUER`, `CASCADE_RATE_LIMIT`, ... variables."""
    variables = os.environ if environ is None else environ
    changes: dict[str, Any] = {}
    for item in fields(SecuritySettings):
        variable = _VARIABLES.get(item.name, f"CASCADE_{item.name.upper()}")
        text = variables.get(variable)
        if text is None or text == "":
            continue
        try:
            changes[item.name] = _PARSERS.get(item.name, str)(text)
        except ValueError:
            raise ValueError(f"{variable}={text!r} is not a valid {item.name}") from None
    return replace(base or SecuritySettings(), **changes)
