"""The console under API keys, on both databases: sign-in, a partner kept to its own orders,
read-only scopes without action buttons (and refused anyway), JWT sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from cascade.components.links import Link, save_link
from cascade.security.apikeys import create_key
from cascade.security.scopes import parse_scopes
from cascade.security.settings import SecuritySettings
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.console.helpers import Client, csrf_of, post_form
from tests.security.conftest import PO, Signer, order_body, secured_cascade


@pytest.fixture(scope="module")
def keyed(database_url: str) -> Iterator[Cascade]:
    cascade = secured_cascade(database_url, SecuritySettings(auth_mode="apikey", api_key_cache_s=0))
    yield cascade
    cascade.close()


@pytest.fixture
def browser(keyed: Cascade) -> Iterator[Client]:
    keyed.database.write_sync(_empty_tables)
    with TestClient(keyed.app, base_url=PUBLIC_URL) as client:
        yield client


def key(cascade: Cascade, scopes: str, party: str | None = None) -> str:
    _, secret = cascade.database.write_sync(
        lambda c: create_key(c, "console", parse_scopes(scopes), party)
    )
    return str(secret)


def sign_in(client: Client, credential: str) -> Any:
    return post_form(client, "/console/signin", "/console/signin", credential=credential)


def place(client: Client, credential: str, party: str) -> dict[str, Any]:
    response = client.post(PO, json=order_body(party), headers={"X-API-Key": credential})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_nobody_signed_in_is_sent_to_sign_in(browser: Client) -> None:
    for path in ("/console/", "/console/productOrder/any", "/console/events/parked"):
        response = browser.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/console/signin"
    refused = sign_in(browser, "csk_not-a-key")
    assert "was not accepted" in refused.text


def test_a_partner_sees_only_its_own_orders(browser: Client, keyed: Cascade) -> None:
    acme = key(keyed, "productOrdering", party="acme")
    globex = key(keyed, "productOrdering", party="globex")
    mine = place(browser, acme, "acme")
    theirs = place(browser, globex, "globex")
    listed = sign_in(browser, acme)
    assert mine["id"] in listed.text and theirs["id"] not in listed.text
    assert "acknowledged <b>1</b>" in listed.text  # the counts are the party's too
    assert browser.get(f"/console/productOrder/{mine['id']}").status_code == 200
    other = browser.get(f"/console/productOrder/{theirs['id']}")
    assert other.status_code == 404 and theirs["id"] in other.text  # as if it did not exist
    assert browser.get(f"/console/productOrder/{theirs['id']}/live").status_code == 404
    searched = browser.get("/console/", params={"text": theirs["id"]})
    assert theirs["id"] not in searched.text.split("</form>")[-1]
    token = csrf_of(browser)
    answer = browser.post(
        f"/console/productOrder/{theirs['id']}/cancel", data={"csrf": token}, follow_redirects=False
    )
    assert answer.status_code == 404
    cancels = browser.get(
        "/tmf-api/productOrderingManagement/v4/cancelProductOrder", headers={"X-API-Key": globex}
    )
    assert cancels.json() == []


def test_read_only_scopes_see_no_actions_and_are_refused(browser: Client, keyed: Cascade) -> None:
    writer = key(keyed, "productOrdering")
    order = place(browser, writer, "acme")
    sign_in(browser, key(keyed, "productOrdering:read"))
    detail = f"/console/productOrder/{order['id']}"
    page = browser.get(detail).text
    assert "data-action=" not in page and "Parked events" not in page
    refused = post_form(browser, f"{detail}/cancel", detail)
    assert "Refused (403 insufficientScope)" in refused.text
    cancels = browser.get(
        "/tmf-api/productOrderingManagement/v4/cancelProductOrder", headers={"X-API-Key": writer}
    )
    assert cancels.json() == []
    parked = browser.get("/console/events/parked")
    assert parked.status_code == 403


def test_signing_out_ends_the_session(browser: Client, keyed: Cascade) -> None:
    sign_in(browser, key(keyed, "admin"))
    assert browser.get("/console/", follow_redirects=False).status_code == 200
    post_form(browser, "/console/signout", "/console/")
    assert browser.get("/console/", follow_redirects=False).status_code == 303


def test_a_bearer_token_signs_in(database_url: str, signer: Signer) -> None:
    settings = SecuritySettings(
        auth_mode="jwt",
        jwt_issuer="https://idp.example.test/",
        jwt_audience="cascade-api",
        jwt_jwks=str(signer.jwks_path),
    )
    cascade = secured_cascade(database_url, settings)
    try:
        cascade.database.write_sync(_empty_tables)
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            token = signer.token(scope="productOrdering:read", party="acme")
            page = sign_in(client, token)
            assert page.status_code == 200 and "client-1" in page.text
            assert "Product orders" in page.text
    finally:
        cascade.close()


def test_components_and_audit_pages_for_administrators(browser: Client, keyed: Cascade) -> None:
    admin = key(keyed, "admin productOrdering")
    order = place(browser, admin, "acme")
    keyed.database.write_sync(
        lambda c: save_link(c, Link("http://som.example/hub", "http://com.example/cb", "s", None))
    )
    sign_in(browser, admin)
    audit = browser.get("/console/audit", params={"kind": "tmf622.productOrder"})
    assert audit.status_code == 200 and order["id"] in audit.text
    assert "create" in audit.text and "apikey:" in audit.text
    other = browser.get("/console/audit", params={"action": "delete"}).text
    assert order["id"] not in other and "No entry matches." in other
    components = browser.get("/console/components").text
    assert "This process: <code>all</code>" in components
    assert "http://som.example/hub" in components and "not subscribed" in components
    assert 'href="/console/audit"' in components  # in the menu, for administrators
    reader = TestClient(keyed.app, base_url=PUBLIC_URL)
    with reader:
        sign_in(reader, key(keyed, "productOrdering:read"))
        for path in ("/console/audit", "/console/components"):
            refused = reader.get(path)
            assert refused.status_code == 403 and "insufficientScope" in refused.text
        assert 'href="/console/audit"' not in reader.get("/console/").text
