"""Authentication: from a request's headers to a Principal, for API keys and bearer tokens."""

from __future__ import annotations

from typing import Protocol

from cascade.security.apikeys import ApiKeyVerifier
from cascade.security.principal import Principal
from cascade.security.tokens import TokenError, TokenVerifier

REALM = 'realm="cascade"'


class UnauthenticatedError(Exception):
    """No usable credentials: answered 401 with `challenge` in `WWW-Authenticate`."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.message = message
        self.challenge = challenge


class Authenticator(Protocol):
    scheme: str

    async def authenticate(self, headers: dict[bytes, bytes]) -> Principal: ...


def _bearer(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"authorization")
    if value is None:
        return None
    scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
    if scheme.lower() not in ("bearer", "apikey") or not credentials.strip():
        return None
    return credentials.strip()


class ApiKeyAuthenticator:
    """`X-API-Key: csk_...` (or `Authorization: Bearer csk_...`)."""

    scheme = "ApiKey"

    def __init__(self, verifier: ApiKeyVerifier) -> None:
        self.verifier = verifier

    async def authenticate(self, headers: dict[bytes, bytes]) -> Principal:
        raw = headers.get(b"x-api-key")
        presented = raw.decode("latin-1").strip() if raw is not None else _bearer(headers)
        challenge = f"ApiKey {REALM}"
        if not presented:
            raise UnauthenticatedError("This call needs an API key (X-API-Key header)", challenge)
        principal = await self.verifier.verify(presented)
        if principal is None:
            raise UnauthenticatedError("The API key is unknown or revoked", challenge)
        return principal


class TokenAuthenticator:
    """`Authorization: Bearer <JWT>` (RFC 6750)."""

    scheme = "Bearer"

    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    async def authenticate(self, headers: dict[bytes, bytes]) -> Principal:
        token = _bearer(headers)
        if token is None:
            raise UnauthenticatedError("This call needs a bearer token", f"Bearer {REALM}")
        try:
            return await self.verifier.verify(token)
        except TokenError as exc:
            description = str(exc).replace('"', "'")
            challenge = f'Bearer {REALM}, error="invalid_token", error_description="{description}"'
            raise UnauthenticatedError(f"Invalid bearer token: {exc}", challenge) from None
