"""API keys: created, listed and revoked from the command line; verified on every request.

A key reads `csk_<id>_<secret>`. Only the SHA-256 of the secret is stored (the secret is 256
random bits, so a plain hash is enough: there is nothing to guess), and the key is shown once,
when it is created. A verified key is trusted for `cache_s` seconds, so a revocation takes
effect within that time in every running process.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from cascade.security.principal import Principal
from cascade.security.scopes import ALL_SCOPES, KNOWN_SCOPES, parse_scopes
from cascade.storage.database import Database
from cascade.storage.tables import api_key
from cascade.tmf.instants import now_instant

PREFIX = "csk"
MAX_NAME = 128
MAX_PARTY = 128


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret."""

    id: str
    name: str
    scopes: frozenset[str]
    party: str | None
    created_at: str
    revoked_at: str | None = None

    @property
    def principal(self) -> Principal:
        return Principal(f"apikey:{self.id}", self.scopes, self.party, "apikey")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_new_key(name: str, scopes: frozenset[str], party: str | None) -> None:
    """Raise ValueError naming what is wrong with a key about to be created."""
    if not name.strip() or len(name) > MAX_NAME:
        raise ValueError(f"a key needs a name of 1 to {MAX_NAME} characters")
    if not scopes:
        raise ValueError("a key needs at least one scope")
    unknown = sorted(scopes - KNOWN_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)} (known: {' '.join(ALL_SCOPES)})")
    if party is not None and not (0 < len(party) <= MAX_PARTY):
        raise ValueError(f"a party id has 1 to {MAX_PARTY} characters")


def create_key(
    connection: Connection, name: str, scopes: frozenset[str], party: str | None = None
) -> tuple[ApiKey, str]:
    """Store a new key; returns it and the full key text (the only time it is seen)."""
    check_new_key(name, scopes, party)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    stored = ApiKey(key_id, name.strip(), scopes, party, now_instant())
    connection.execute(
        insert(api_key).values(
            id=key_id,
            name=stored.name,
            secret_hash=_hash(secret),
            scopes=" ".join(sorted(scopes)),
            party=party,
            created_at=stored.created_at,
        )
    )
    return stored, f"{PREFIX}_{key_id}_{secret}"


def list_keys(connection: Connection) -> list[ApiKey]:
    rows = connection.execute(
        select(
            api_key.c.id,
            api_key.c.name,
            api_key.c.scopes,
            api_key.c.party,
            api_key.c.created_at,
            api_key.c.revoked_at,
        ).order_by(api_key.c.created_at, api_key.c.id)
    )
    return [ApiKey(r[0], r[1], parse_scopes(r[2]), r[3], r[4], r[5]) for r in rows]


def revoke_key(connection: Connection, key_id: str) -> bool:
    """Revoke a key for good; False when no live key has that id."""
    result = connection.execute(
        update(api_key)
        .where(api_key.c.id == key_id, api_key.c.revoked_at.is_(None))
        .values(revoked_at=now_instant())
    )
    return bool(result.rowcount)


def split_key(presented: str) -> tuple[str, str] | None:
    """(id, secret) of a key in the `csk_<id>_<secret>` form, or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def verify_key(connection: Connection, presented: str) -> ApiKey | None:
    """The live key `presented` is, or None (unknown, revoked, or a wrong secret)."""
    split = split_key(presented)
    if split is None:
        return None
    key_id, secret = split
    row = connection.execute(
        select(
            api_key.c.secret_hash,
            api_key.c.name,
            api_key.c.scopes,
            api_key.c.party,
            api_key.c.created_at,
            api_key.c.revoked_at,
        ).where(api_key.c.id == key_id)
    ).first()
    if row is None or row[5] is not None:
        return None
    if not hmac.compare_digest(row[0], _hash(secret)):
        return None
    return ApiKey(key_id, row[1], parse_scopes(row[2]), row[3], row[4])


class ApiKeyVerifier:
    """Verifies presented keys against the database, remembering answers for `cache_s`."""

    MAX_CACHED = 10_000

    def __init__(self, database: Database, cache_s: float = 5.0) -> None:
        self.database = database
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def verify(self, presented: str) -> Principal | None:
        digest = _hash(presented)  # the cache never holds a key in clear
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        if split_key(presented) is None:
            return None
        found = await self.database.read(lambda c: verify_key(c, presented), snapshot=False)
        principal = None if found is None else found.principal
        if self.cache_s > 0:
            if len(self._cache) >= self.MAX_CACHED:
                self._cache.clear()
            self._cache[digest] = (now + self.cache_s, principal)
        return principal
