"""Mode `jwt`: RS256 and ES256 tokens from a JWKS (file or URL) or a PEM key; every bad token
is a 401 with an Error body and a `WWW-Authenticate: Bearer ... error="invalid_token"`."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from cascade.security.settings import SecuritySettings
from cascade.security.tokens import KeySet, TokenError, TokenVerifier
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.security.conftest import (
    AUDIENCE,
    ISSUER,
    PO,
    Client,
    Signer,
    assert_error,
    secured_cascade,
)


def jwt_settings(signer: Signer, **changes: Any) -> SecuritySettings:
    values: dict[str, Any] = {
        "auth_mode": "jwt",
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "jwt_jwks": str(signer.jwks_path),
        "jwt_leeway_s": 0,
    }
    values.update(changes)
    return SecuritySettings(**values)


@pytest.fixture(scope="module")
def jwt_cascade(database_url: str, signer: Signer) -> Iterator[Cascade]:
    cascade = secured_cascade(database_url, jwt_settings(signer))
    yield cascade
    cascade.close()


@pytest.fixture
def client(jwt_cascade: Cascade) -> Iterator[Client]:
    jwt_cascade.database.write_sync(_empty_tables)
    with TestClient(jwt_cascade.app, base_url=PUBLIC_URL) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refused(client: Client, token: str, why: str) -> None:
    response = client.get(PO, headers=bearer(token))
    body = assert_error(response, 401)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="cascade"'), challenge
    assert 'error="invalid_token"' in challenge
    assert why in body["message"], body["message"]


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_a_valid_token_is_accepted(client: Client, signer: Signer, algorithm: str) -> None:
    assert client.get(PO, headers=bearer(signer.token(algorithm=algorithm))).status_code == 200


def test_no_token_is_401_with_a_bare_challenge(client: Client) -> None:
    response = client.get(PO)
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="cascade"'
    assert_error(client.get(PO, headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_a_tampered_token_is_refused(client: Client, signer: Signer) -> None:
    header, payload, signature = signer.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    refused(client, f"{header}.{forged}.{signature}", "signature")
    refused(client, f"{header}.{payload}.{signature[:-4]}AAAA", "signature")
    refused(client, "not.a.jwt", "not a JWT")


def test_expired_and_not_yet_valid_tokens_are_refused(client: Client, signer: Signer) -> None:
    now = int(time.time())
    refused(client, signer.token(exp=now - 3600, iat=now - 7200), "expired")
    refused(client, signer.token(nbf=now + 3600), "not valid yet")


def test_wrong_audience_issuer_or_key_is_refused(client: Client, signer: Signer) -> None:
    refused(client, signer.token(aud="someone-else"), "audience")
    refused(client, signer.token(iss="https://evil.example.test/"), "issuer")
    refused(client, signer.token(key=signer.stranger), "signature")
    refused(client, signer.token(kid="unknown-kid"), "known key")
    # An ES256 header on the RSA key's id: the key's family decides, not the header.
    refused(client, signer.token(algorithm="ES256", kid="rsa-1"), "known key")


def test_algorithm_confusion_is_refused(client: Client, signer: Signer) -> None:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x"}
    unsigned = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    refused(client, unsigned, "not accepted")
    public_pem = signer.pem_path.read_bytes()
    forged = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"rsa-1","typ":"JWT"}').rstrip(b"=")
    body = signer.token().split(".")[1]
    import hashlib
    import hmac

    signing_input = forged + b"." + body.encode()
    mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    refused(client, f"{signing_input.decode()}.{signature}", "not accepted")


def test_required_claims_are_required(client: Client, signer: Signer) -> None:
    refused(client, signer.token(sub=None), "'sub'")
    refused(client, signer.token(exp=None), "'exp'")


def test_a_pem_key_verifies_tokens(signer: Signer) -> None:
    settings = jwt_settings(signer, jwt_jwks=None, jwt_public_key=str(signer.pem_path))
    verifier = TokenVerifier(settings, KeySet.from_settings(settings))
    import asyncio

    principal = asyncio.run(verifier.verify(signer.token(party="acme")))
    assert (principal.subject, principal.party) == ("client-1", "acme")
    with pytest.raises(TokenError, match="known key"):
        asyncio.run(verifier.verify(signer.token(algorithm="ES256")))


async def test_a_jwks_url_is_fetched_and_refetched_for_a_new_key(signer: Signer) -> None:
    document = json.loads(signer.jwks_path.read_text())
    fetched: list[str] = []
    served = {"keys": [k for k in document["keys"] if k["kid"] == "rsa-1"]}

    async def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return served

    settings = jwt_settings(signer, jwt_jwks="https://idp.example.test/jwks")
    keys = KeySet.from_settings(settings, fetch)
    verifier = TokenVerifier(settings, keys)
    assert (await verifier.verify(signer.token())).subject == "client-1"
    assert (await verifier.verify(signer.token(sub="again"))).subject == "again"
    assert fetched == ["https://idp.example.test/jwks"]  # the key set is kept
    with pytest.raises(TokenError):
        await verifier.verify(signer.token(algorithm="ES256"))  # ec-1 is not published yet
    assert len(fetched) == 1  # unknown key ids trigger at most one fetch per retry_s
    keys.retry_s = 0
    served["keys"] = document["keys"]  # the provider publishes ec-1
    assert (await verifier.verify(signer.token(algorithm="ES256"))).subject == "client-1"
    assert len(fetched) == 2


def test_scopes_and_party_come_from_the_token(client: Client, signer: Signer) -> None:
    reader = bearer(signer.token(scope="productOrdering:read"))
    assert client.get(PO, headers=reader).status_code == 200
    assert_error(client.post(PO, json={}, headers=reader), 403)
    as_list = bearer(signer.token(scope=None, scp=["productOrdering:write"]))
    assert_error(client.get(PO, headers=as_list), 403)
