"""The console in a real browser (issue 16): search, watch an order fill in live, hold and
release, cancel mid-flight, redeliver parked events, a partner and a read-only viewer.

Orders are held at the simulated network's gate, never by a time window (docs/testing.md).
Screenshots of the main pages go to docs/console-screenshots/.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from cascade.events.store import PARKED
from cascade.security.apikeys import create_key, revoke_key
from cascade.security.scopes import parse_scopes
from cascade.storage.tables import event_delivery
from tests.browser.conftest import Browser, Server, sync_api
from tests.e2e.fulfilment import PO, broadband
from tests.fulfilment.undone import undone
from tests.waiting import PATIENCE_S, until

expect = sync_api.expect
PATIENCE_MS = PATIENCE_S * 1000
GATED = "rs-gpon-port"  # the GPON port's activation waits at the gate while it is closed


def place(server: Server, external_id: str, key: str | None = None, party: str = "acme") -> Any:
    body = {
        "externalId": external_id,
        "relatedParty": [{"id": party, "role": "customer", "@referredType": "Organization"}],
        "productOrderItem": [broadband()],
    }
    headers = {"X-API-Key": key} if key else None
    with server.client(headers) as client:
        response = client.post(PO, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def state_of(browser: Browser) -> Any:
    return browser.page.locator("#order-state")


def wait_for_node(browser: Browser, label: str, state: str) -> None:
    node = browser.page.locator(f'li.node[data-label="{label}"][data-state="{state}"]').first
    expect(node).to_be_visible(timeout=PATIENCE_MS)


def test_search_then_watch_the_tree_fill_in_live(server: Server, browser: Browser) -> None:
    server.gate.close(GATED)
    order = place(server, "browser-live")
    page = browser.page
    page.goto(f"{server.url}/")
    expect(page.locator("h1")).to_have_text("Product orders")
    page.get_by_placeholder("order id or externalId").fill("browser-live")
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name=order["id"])
    expect(link).to_be_visible()
    browser.shot("orders")
    link.click()
    wait_for_node(browser, "ResourceOrder", "inProgress")  # arrived without a reload
    expect(state_of(browser)).to_have_text("inProgress")
    wait_for_node(browser, "TMF639 resource", "not yet recorded")  # the gated one: pending
    browser.shot("order-in-progress")
    server.gate.open()
    expect(state_of(browser)).to_have_text("completed", timeout=PATIENCE_MS)
    wait_for_node(browser, "TMF639 resource", "available")
    wait_for_node(browser, "TMF637 product", "active")
    expect(page.locator("[data-action]")).to_have_count(0)  # nothing to do on an ended order
    browser.shot("order-completed")
    page.set_viewport_size({"width": 420, "height": 800})  # a narrow window: it stacks
    browser.shot("order-narrow")


def test_hold_and_release(server: Server, browser: Browser) -> None:
    server.gate.close(GATED)
    order = place(server, "browser-hold")
    page = browser.page
    page.goto(f"{server.url}/console/productOrder/{order['id']}")
    wait_for_node(browser, "ResourceOrder", "inProgress")
    page.locator('[data-action="hold"]').click()
    expect(page.locator(".flash.done")).to_contain_text("is now held")
    expect(state_of(browser)).to_have_text("held")
    wait_for_node(browser, "ResourceOrder", "held")  # the hold reached the tree
    server.gate.open()
    page.locator('[data-action="release"]').click()
    expect(page.locator(".flash.done")).to_contain_text("is now inProgress")
    expect(state_of(browser)).to_have_text("completed", timeout=PATIENCE_MS)


def test_cancel_mid_flight_undoes_everything(server: Server, browser: Browser) -> None:
    server.gate.close(GATED)
    order = place(server, "browser-cancel")
    page = browser.page
    page.goto(f"{server.url}/console/productOrder/{order['id']}")
    wait_for_node(browser, "ResourceOrder", "inProgress")
    page.get_by_label("Cancellation reason").fill("customer changed mind")
    page.locator('[data-action="cancel"]').click()  # confirmed in the dialog
    expect(page.locator(".flash.done")).to_contain_text("Cancel task")
    server.gate.open()  # the activation in flight may end: the cancel undoes it
    expect(state_of(browser)).to_have_text("cancelled", timeout=PATIENCE_MS)
    browser.shot("order-cancelled")
    with server.client() as client:

        def get(path: str) -> Any:
            response = client.get(path)
            return None if response.status_code == 404 else response.json()

        undone(get, server.sql, order["id"])


def test_redeliver_parked_events(server: Server, browser: Browser) -> None:
    server.gate.open()
    used = place(server, "browser-watch")  # its resources show on the Watch page's pools
    rows = [
        {
            "hub_kind": "tmf622.hub",
            "subscription": "sub-browser",
            "entity": f"order-{n}",
            "event_seq": n,
            "event_id": f"browser-event-{n}",
            "event_type": "ProductOrderStateChangeEvent",
            "callback": "http://127.0.0.1:9/listener",
            "body": "{}",
            "status": PARKED,
            "attempts": 7,
            "due_ms": 0,
            "last_error": "connection refused",
        }
        for n in range(3)
    ]
    server.sql(lambda c: c.execute(insert(event_delivery), rows))
    page = browser.page
    page.goto(f"{server.url}/console/events/parked")
    section = page.locator('section[data-subscription="sub-browser"]')
    expect(section).to_contain_text("connection refused")
    browser.shot("parked")
    section.get_by_role("button", name="Redeliver 3").click()
    expect(page.locator(".flash.done")).to_contain_text("3 parked deliveries put back in line")
    with server.client() as client:
        until(
            lambda: client.get(f"{PO}/{used['id']}").json()["state"] == "completed",
            "the order that uses the pools completed",
        )
    page.get_by_role("link", name="Watch").click()
    expect(page.locator("h1")).to_have_text("Watch the system")
    expect(page.locator("text=rs-gpon-port").first).to_be_visible()  # pools the orders used
    browser.shot("watch")
    page.get_by_role("link", name="Catalog").click()
    page.get_by_role("link", name="po-fibre-broadband").click()
    expect(page.locator('li.node[data-label="Resource specification"]').first).to_be_visible()
    browser.shot("catalog")
    form = page.locator("#test-order")  # a test order, its characteristics as a form
    form.get_by_label("Customer (party id)").fill("acme")
    form.locator('select[name="char.downloadSpeed"]').select_option(index=1)
    form.get_by_role("button", name="Place order").click()  # confirmed in the dialog
    expect(page.locator(".flash.done")).to_contain_text("Test order")
    expect(page.locator("h1")).to_contain_text("ProductOrder")


def test_retry_a_failed_activation(failing_server: Server, browser: Browser) -> None:
    order = place(failing_server, "browser-retry")
    page = browser.page
    page.goto(f"{failing_server.url}/console/productOrder/{order['id']}")
    expect(state_of(browser)).to_have_text("failed", timeout=PATIENCE_MS)
    expect(page.locator(".problem").first).to_contain_text("simulated network refused")
    browser.shot("order-failed")
    page.locator('[data-action="retry"]').click()  # confirmed in the dialog
    expect(page.locator(".flash.done")).to_contain_text("Retry order")
    expect(page.locator(".flash.done")).to_contain_text("for item(s) 1")
    with failing_server.client() as client:
        placed = client.get(PO, params={"externalId": "browser-retry"}).json()
    assert len(placed) == 2  # the failed order, final, and its retry
    retry = next(each for each in placed if each["id"] != order["id"])
    page.goto(f"{failing_server.url}/console/productOrder/{retry['id']}")
    expect(page.locator(".facts-row")).to_contain_text(order["id"])  # says what it retries
    expect(state_of(browser)).to_have_text("failed", timeout=PATIENCE_MS)  # the network still is


def new_key(server: Server, scopes: str, party: str | None = None) -> str:
    made = server.sql(lambda c: create_key(c, "browser", parse_scopes(scopes), party))
    return str(made[1])


def sign_in(server: Server, browser: Browser, key: str) -> None:
    page = browser.page
    page.goto(f"{server.url}/console/")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Product orders")


def test_a_partner_cannot_see_another_partys_order(keyed_server: Server, browser: Browser) -> None:
    acme = new_key(keyed_server, "productOrdering", party="acme")
    globex = new_key(keyed_server, "productOrdering", party="globex")
    theirs = place(keyed_server, "acme-order", acme, party="acme")
    mine = place(keyed_server, "globex-order", globex, party="globex")
    browser.page.goto(f"{keyed_server.url}/console/signin")
    browser.shot("signin")
    sign_in(keyed_server, browser, globex)
    page = browser.page
    expect(page.get_by_role("link", name=mine["id"])).to_be_visible()
    expect(page.get_by_role("link", name=theirs["id"])).to_have_count(0)
    browser.expected.append("404")  # the browser logs the 404 it is about to get
    page.goto(f"{keyed_server.url}/console/productOrder/{theirs['id']}")
    expect(page.locator("h1")).to_contain_text("404")


def test_a_read_only_viewer_has_no_actions(keyed_server: Server, browser: Browser) -> None:
    writer = new_key(keyed_server, "productOrdering")
    keyed_server.gate.close(GATED)
    order = place(keyed_server, "read-only-view", writer)
    sign_in(keyed_server, browser, new_key(keyed_server, "productOrdering:read"))
    page = browser.page
    page.goto(f"{keyed_server.url}/console/productOrder/{order['id']}")
    wait_for_node(browser, "ResourceOrder", "inProgress")
    expect(page.locator("[data-action]")).to_have_count(0)
    expect(page.get_by_role("link", name="Parked events")).to_have_count(0)
    keyed_server.gate.open()
    expect(state_of(browser)).to_have_text("completed", timeout=PATIENCE_MS)


def test_a_revoked_viewers_live_page_stops_showing(keyed_server: Server, browser: Browser) -> None:
    writer = new_key(keyed_server, "productOrdering")
    made, viewer = keyed_server.sql(
        lambda c: create_key(c, "browser", parse_scopes("productOrdering:read"))
    )
    keyed_server.gate.close(GATED)
    order = place(keyed_server, "revoked-view", writer)
    sign_in(keyed_server, browser, viewer)
    page = browser.page
    page.goto(f"{keyed_server.url}/console/productOrder/{order['id']}")
    wait_for_node(browser, "ResourceOrder", "inProgress")
    assert keyed_server.sql(lambda c: revoke_key(c, made.id))
    keyed_server.gate.open()  # the order goes on: each change wakes the page's stream
    expect(page.locator("#live")).to_have_attribute("data-ended", "true", timeout=PATIENCE_MS)
    with keyed_server.client({"X-API-Key": writer}) as client:
        until(lambda: client.get(f"{PO}/{order['id']}").json()["state"] == "completed")
    expect(state_of(browser)).not_to_have_text("completed")  # the stream re-read as nobody


def test_components_and_the_audit_trail(keyed_server: Server, browser: Browser) -> None:
    admin = new_key(keyed_server, "admin productOrdering")
    order = place(keyed_server, "audited-order", admin)
    sign_in(keyed_server, browser, admin)
    page = browser.page
    page.get_by_role("link", name="Components").click()
    expect(page.locator("#this-component")).to_contain_text("all")
    browser.shot("components")
    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Entity id").fill(order["id"])
    page.get_by_label("Action").select_option("create")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit tbody tr")).to_have_count(1)
    expect(page.locator("#audit tbody tr")).to_contain_text("tmf622.productOrder")
    browser.shot("audit")
