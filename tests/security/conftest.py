"""Fixtures for security tests: a Cascade per authentication mode, keys, signed tokens."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from litestar.testing import TestClient

from cascade.bootstrap import Cascade, build
from cascade.security.apikeys import create_key
from cascade.security.scopes import parse_scopes
from cascade.security.settings import SecuritySettings
from cascade.settings import Settings
from tests.conftest import PUBLIC_URL, _empty_tables

ISSUER = "https://idp.example.test/"
AUDIENCE = "cascade-api"
BASE = "/tmf-api/productOrderingManagement/v4"
PO = f"{BASE}/productOrder"
CANCEL_PO = f"{BASE}/cancelProductOrder"
PO_HUB = f"{BASE}/hub"
Client = TestClient[Any]


def secured_cascade(database_url: str, security: SecuritySettings) -> Cascade:
    settings = Settings(
        database_url=database_url, public_url=PUBLIC_URL, controllers=False, security=security
    )
    return build(settings)


def order_body(*parties: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
        ]
    }
    if parties:
        body["relatedParty"] = [
            {"id": party, "role": "customer", "@referredType": "Organization"} for party in parties
        ]
    return body


def assert_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == str(status)
    assert {"code", "reason", "message"} <= set(body)
    return body


@dataclass(frozen=True)
class Signer:
    """Private keys the tests sign tokens with; the JWKS file holds the public halves."""

    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    stranger: rsa.RSAPrivateKey  # a key Cascade does not know
    jwks_path: Path
    pem_path: Path

    def token(
        self,
        *,
        algorithm: str = "RS256",
        key: Any = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "client-1",
            "iat": now,
            "exp": now + 600,
            "scope": "productOrdering:read productOrdering:write",
        }
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        if key is None:
            key = self.ec_key if algorithm == "ES256" else self.rsa_key
        if kid is None:
            kid = "ec-1" if algorithm == "ES256" else "rsa-1"
        return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture(scope="session")
def signer(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    directory = tmp_path_factory.mktemp("keys")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
    keys = [{**rsa_jwk, "kid": "rsa-1", "use": "sig"}, {**ec_jwk, "kid": "ec-1", "use": "sig"}]
    jwks_path = directory / "jwks.json"
    jwks_path.write_text(json.dumps({"keys": keys}))
    from cryptography.hazmat.primitives import serialization

    pem_path = directory / "rsa.pem"
    pem_path.write_bytes(
        rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return Signer(rsa_key, ec_key, stranger, jwks_path, pem_path)


@pytest.fixture(scope="module")
def apikey_cascade(database_url: str) -> Iterator[Cascade]:
    cascade = secured_cascade(database_url, SecuritySettings(auth_mode="apikey", api_key_cache_s=0))
    yield cascade
    cascade.close()


@pytest.fixture
def apikey_client(apikey_cascade: Cascade) -> Iterator[Client]:
    apikey_cascade.database.write_sync(_empty_tables)
    with TestClient(apikey_cascade.app, base_url=PUBLIC_URL) as client:
        yield client


NewKey = Callable[..., dict[str, str]]


@pytest.fixture
def new_key(apikey_cascade: Cascade, apikey_client: Client) -> NewKey:
    """Create an API key (in emptied tables); returns the headers that present it."""

    def make(scopes: str, party: str | None = None, name: str = "test") -> dict[str, str]:
        _, key = apikey_cascade.database.write_sync(
            lambda c: create_key(c, name, parse_scopes(scopes), party)
        )
        return {"X-API-Key": key}

    return make
