"""OAuth2 bearer tokens: JWTs verified against the configured issuer, audience and keys.

Keys come from a JWKS (a file, or a URL fetched again when stale or when a token names a key
it does not hold) or from one PEM public key. Only the configured algorithms are accepted
(RS256 and ES256 by default), and a key only verifies the algorithms of its type, so neither
`none`, nor an HMAC made with a public key, nor a key of the wrong family gets through.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from cascade.security.principal import Principal
from cascade.security.scopes import parse_scopes
from cascade.security.settings import SecuritySettings

PublicKey = RSAPublicKey | EllipticCurvePublicKey
Fetch = Callable[[str], Awaitable[dict[str, Any]]]
JWKS_TTL_S = 300.0
JWKS_RETRY_S = 30.0  # at most one fetch per this many seconds for unknown key ids
MAX_CLAIM = 256
MAX_CACHED_TOKENS = 10_000


class TokenError(Exception):
    """A token that cannot be trusted; the message says why (it goes back to the client)."""


def _family(algorithm: str) -> type[RSAPublicKey] | type[EllipticCurvePublicKey] | None:
    if algorithm.startswith(("RS", "PS")):
        return RSAPublicKey
    if algorithm.startswith("ES"):
        return EllipticCurvePublicKey
    return None


def _keys_of_jwks(document: dict[str, Any]) -> dict[str | None, PublicKey]:
    try:
        keyset = jwt.PyJWKSet.from_dict(document)
    except jwt.PyJWTError as exc:
        raise ValueError(f"not a usable JWKS: {exc}") from None
    keys: dict[str | None, PublicKey] = {}
    for item in keyset.keys:
        if isinstance(item.key, RSAPublicKey | EllipticCurvePublicKey):
            keys[item.key_id] = item.key
    if not keys:
        raise ValueError("the JWKS holds no RSA or EC public key")
    return keys


async def _http_fetch(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(url)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document


class KeySet:
    """The public keys tokens may be signed with, by key id (`None` for a key without one)."""

    def __init__(
        self,
        keys: dict[str | None, PublicKey] | None = None,
        *,
        url: str | None = None,
        fetch: Fetch | None = None,
    ) -> None:
        self._keys = dict(keys or {})
        self._url = url
        self._fetch = fetch or _http_fetch
        self._fetched_at = -float("inf")
        self._lock = asyncio.Lock()
        self.retry_s = JWKS_RETRY_S

    @classmethod
    def from_settings(cls, settings: SecuritySettings, fetch: Fetch | None = None) -> KeySet:
        if settings.jwt_public_key:
            key = load_pem_public_key(Path(settings.jwt_public_key).read_bytes())
            if not isinstance(key, RSAPublicKey | EllipticCurvePublicKey):
                raise ValueError("the PEM key is neither an RSA nor an EC public key")
            return cls({None: key})
        source = settings.jwt_jwks or ""
        if source.startswith(("http://", "https://")):
            return cls(url=source, fetch=fetch)
        return cls(_keys_of_jwks(json.loads(Path(source).read_text())))

    async def key_for(self, key_id: str | None) -> PublicKey | None:
        if self._url is not None and self._stale(key_id):
            await self._refresh()
        if key_id in self._keys:
            return self._keys[key_id]
        if len(self._keys) == 1:  # one key: tokens need not name it
            only_id, only = next(iter(self._keys.items()))
            return only if key_id is None or only_id is None else None
        return None

    def _stale(self, key_id: str | None) -> bool:
        age = time.monotonic() - self._fetched_at
        return age > JWKS_TTL_S or (key_id not in self._keys and age > self.retry_s)

    async def _refresh(self) -> None:
        assert self._url is not None
        async with self._lock:
            if time.monotonic() - self._fetched_at <= self.retry_s:
                return  # another request refreshed meanwhile
            self._fetched_at = time.monotonic()
            # On failure keep the keys we had; the next try comes after `retry_s`.
            with contextlib.suppress(httpx.HTTPError, ValueError):
                self._keys = _keys_of_jwks(await self._fetch(self._url))


class TokenVerifier:
    """Turns a bearer token into a Principal, or raises TokenError."""

    def __init__(self, settings: SecuritySettings, keys: KeySet) -> None:
        self.keys = keys
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.algorithms = [a.strip() for a in settings.jwt_algorithms.split(",") if a.strip()]
        self.party_claim = settings.jwt_party_claim
        self.leeway = settings.jwt_leeway_s
        self._cache: dict[str, tuple[float, Principal]] = {}

    async def verify(self, token: str) -> Principal:
        cached = self._cache.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("the token is not a JWT") from None
        algorithm = header.get("alg")
        family = _family(str(algorithm))
        if algorithm not in self.algorithms or family is None:
            raise TokenError(f"the algorithm {algorithm!r} is not accepted")
        kid = header.get("kid")
        key = await self.keys.key_for(kid if isinstance(kid, str) else None)
        if key is None or not isinstance(key, family):
            raise TokenError("the token is not signed by a known key")
        claims = self._claims(token, key, str(algorithm))
        principal = self._principal(claims)
        if len(self._cache) >= MAX_CACHED_TOKENS:
            self._cache.clear()
        self._cache[token] = (float(claims["exp"]), principal)
        return principal

    def _claims(self, token: str, key: PublicKey, algorithm: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise TokenError("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise TokenError("the token is from another issuer") from None
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature is wrong") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"the token has no '{exc.claim}' claim") from None
        except jwt.PyJWTError:
            raise TokenError("the token is not valid") from None
        return claims

    def _principal(self, claims: dict[str, Any]) -> Principal:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= MAX_CLAIM:
            raise TokenError("the token's subject is not a short string")
        scopes = parse_scopes(claims.get("scope")) | parse_scopes(claims.get("scp"))
        party = claims.get(self.party_claim)
        if party is not None and (not isinstance(party, str) or not 0 < len(party) <= 128):
            raise TokenError(f"the token's '{self.party_claim}' claim is not a short string")
        return Principal(subject, scopes, party, "jwt")
