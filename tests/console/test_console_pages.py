"""The console's pages and actions through the HTTP client, on both databases.

Orders are stored as the controllers leave them (controllers off); the actions go through
the same resources as the API, so the API's answers show what they did.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.catalogs import demo_catalog
from cascade.events.store import PARKED
from cascade.storage.tables import allocation, event_delivery
from tests.api.chain_records import PO, product_order, resource_order, service_order, store
from tests.console.helpers import Client, csrf_of, post_form

CANCELS = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"


def order_body(external_id: str, party: str) -> dict[str, Any]:
    return {
        "externalId": external_id,
        "relatedParty": [{"id": party, "role": "customer", "@referredType": "Organization"}],
        "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
        ],
    }


def product_order_body() -> dict[str, Any]:
    return {
        "productOrderItem": [
            {"id": "1", "action": "add", "productOffering": {"id": "po-fibre-broadband"}}
        ]
    }


def placed(client: Client, external_id: str, party: str = "acme") -> dict[str, Any]:
    response = client.post(PO, json=order_body(external_id, party))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_the_root_leads_to_the_console(client: Client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/console/"
    page = client.get("/console/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert client.get("/console/static/console.css").status_code == 200


def test_the_list_filters_as_the_api_does(client: Client) -> None:
    first = placed(client, "ext-one", "acme")
    second = placed(client, "ext-two", "globex")
    page = client.get("/console/").text
    assert first["id"] in page and second["id"] in page
    assert "acknowledged <b>2</b>" in page  # the count per state
    by_party = client.get("/console/", params={"party": "globex"}).text
    assert second["id"] in by_party and first["id"] not in by_party
    by_external = client.get("/console/", params={"externalId": "ext-one"}).text
    assert first["id"] in by_external and second["id"] not in by_external
    assert "acknowledged <b>1</b>" in by_external  # counted with the same filter
    by_text = client.get("/console/", params={"text": second["id"]}).text
    assert second["id"] in by_text and first["id"] not in by_text
    by_state = client.get("/console/", params={"state": "completed"}).text
    assert first["id"] not in by_state and "No order matches." in by_state
    by_offering = client.get("/console/", params={"offering": "po-fibre-broadband"}).text
    assert first["id"] in by_offering


def test_bad_filters_answer_a_tmf_error_and_change_nothing(client: Client) -> None:
    placed(client, "ext-one")
    response = client.get("/console/", params={"from": "yesterday"})
    assert response.status_code == 400
    assert "invalidQuery" in response.text and "YYYY-MM-DD" in response.text
    assert client.get("/console/", params={"page": "0"}).status_code == 400
    assert client.get("/console/", params={"kind": "pizzaOrder"}).status_code == 404
    offering = client.get("/console/", params={"kind": "serviceOrder", "offering": "x"})
    assert offering.status_code == 400


def test_the_service_and_resource_lists(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    ro = resource_order(cascade, "failed", so)
    services = client.get("/console/", params={"kind": "serviceOrder"}).text
    assert so["id"] in services and po["id"] not in services
    resources = client.get("/console/", params={"kind": "resourceOrder"}).text
    assert ro["id"] in resources and "failed <b>1</b>" in resources
    detail = client.get(f"/console/serviceOrder/{so['id']}")
    assert detail.status_code == 200 and so["id"] in detail.text


def test_the_detail_shows_the_tree_and_its_notes(client: Client, cascade: Cascade) -> None:
    note = {"text": "waiting for the <site survey>", "date": "2026-01-02T03:04:05.000Z"}
    po = store(cascade, kinds.PRODUCT_ORDER, product_order_body(), state="inProgress", note=[note])
    page = client.get(f"/console/productOrder/{po['id']}")
    assert page.status_code == 200
    assert 'data-label="Item 1"' in page.text and "po-fibre-broadband" in page.text
    assert "waiting for the &lt;site survey&gt;" in page.text  # escaped, in the timeline too
    assert page.text.count("waiting for the &lt;site survey&gt;") == 3  # node, timeline, title
    assert 'data-action="hold"' in page.text and 'data-action="cancel"' in page.text
    missing = client.get("/console/productOrder/no-such-order")
    assert missing.status_code == 404 and "notFound" in missing.text


def test_hold_and_release_go_through_the_api_rules(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    detail = f"/console/productOrder/{po['id']}"
    held = post_form(client, f"{detail}/hold", detail)
    assert f"ProductOrder {po['id']} is now held" in held.text
    assert client.get(f"{PO}/{po['id']}").json()["state"] == "held"
    so_state = client.get(f"/tmf-api/serviceOrdering/v4/serviceOrder/{so['id']}").json()["state"]
    assert so_state == "held"  # the hold carried down the tree, as a PATCH does
    assert 'data-action="release"' in held.text
    done = product_order(cascade, "completed")
    ended = f"/console/productOrder/{done['id']}"
    refused = post_form(client, f"{ended}/hold", ended)  # the state machine refuses it
    assert "Refused (" in refused.text and 'data-action="hold"' not in refused.text
    assert client.get(f"{PO}/{done['id']}").json()["state"] == "completed"
    released = post_form(client, f"{detail}/release", detail)
    assert "is now inProgress" in released.text
    assert client.get(f"{PO}/{po['id']}").json()["state"] == "inProgress"


def test_cancel_places_the_cancel_task(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    detail = f"/console/productOrder/{po['id']}"
    page = client.get(detail).text
    assert 'data-confirm="Cancel this order?' in page  # asked before it cannot be undone
    done = post_form(client, f"{detail}/cancel", detail, reason="customer changed mind")
    assert "Cancel task" in done.text
    tasks = client.get(CANCELS).json()
    assert [task["productOrder"]["id"] for task in tasks] == [po["id"]]
    assert tasks[0]["cancellationReason"] == "customer changed mind"
    twice = post_form(client, f"{detail}/cancel", detail)
    assert "Refused (409" in twice.text  # one cancel per order, as the API says
    assert len(client.get(CANCELS).json()) == 1


def test_an_action_without_the_csrf_token_is_refused(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    path = f"/console/productOrder/{po['id']}/hold"
    csrf_of(client)
    missing = client.post(path, data={"reason": ""}, follow_redirects=False)
    assert missing.status_code == 403 and missing.json()["code"] == "crossSiteRequest"
    forged = client.post(path, data={"csrf": "x" * 43}, follow_redirects=False)
    assert forged.status_code == 403
    token = csrf_of(client)
    elsewhere = client.post(
        path,
        data={"csrf": token},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 403
    assert client.get(f"{PO}/{po['id']}").json()["state"] == "inProgress"


def test_behind_a_proxy_that_rewrites_host_the_public_urls_origin_is_ours(
    client: Client, cascade: Cascade
) -> None:
    """A proxy forwards `Host: cascade-internal:8000` while the browser's Origin is the public
    URL's (Settings.public_url, here http://testserver.local): the form is ours. An Origin
    that is neither is still refused."""
    po = product_order(cascade, "inProgress")
    path = f"/console/productOrder/{po['id']}/hold"
    forwarded = {"host": "cascade-internal:8000"}
    token = csrf_of(client)
    elsewhere = client.post(
        path,
        data={"csrf": token},
        headers={**forwarded, "origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "crossSiteRequest"
    assert client.get(f"{PO}/{po['id']}").json()["state"] == "inProgress"
    held = client.post(
        path,
        data={"csrf": token, "reason": "proxy"},
        headers={**forwarded, "origin": "http://testserver.local"},
        follow_redirects=False,
    )
    assert held.status_code == 303, held.text
    assert client.get(f"{PO}/{po['id']}").json()["state"] == "held"


def park(cascade: Cascade, subscription: str, count: int) -> None:
    rows = [
        {
            "hub_kind": "tmf622.hub",
            "subscription": subscription,
            "entity": f"order-{n}",
            "event_seq": n,
            "event_id": f"event-{subscription}-{n}",
            "event_type": "ProductOrderStateChangeEvent",
            "callback": "http://127.0.0.1:9/listener",
            "body": "{}",
            "status": PARKED,
            "attempts": 7,
            "due_ms": 0,
            "last_error": "connection refused",
        }
        for n in range(count)
    ]
    cascade.database.write_sync(lambda c: c.execute(insert(event_delivery), rows))


def test_parked_deliveries_per_subscription_and_redelivered(
    client: Client, cascade: Cascade
) -> None:
    park(cascade, "sub-down", 2)
    park(cascade, "sub-other", 1)
    page = client.get("/console/events/parked").text
    assert "sub-down" in page and "sub-other" in page and "connection refused" in page
    done = post_form(
        client, "/console/events/redeliver", "/console/events/parked", subscription="sub-down"
    )
    assert "2 parked deliveries put back in line" in done.text
    assert "sub-down" not in done.text.split("</header>")[1].split("flash")[-1]
    left = client.get("/cascade/events/parked").json()
    assert [each["subscription"] for each in left] == ["sub-other"]


def test_the_watch_page_shows_what_waits_fails_and_holds(client: Client, cascade: Cascade) -> None:
    held = product_order(cascade, "held")
    pending = service_order(cascade, "pending")
    failed = resource_order(cascade, "failed", service_order(cascade, "inProgress"))
    later = store(
        cascade,
        kinds.PRODUCT_ORDER,
        {**product_order_body(), "requestedStartDate": "2999-01-01T00:00:00.000Z"},
    )
    done = product_order(cascade, "completed")
    row = {
        "pool": "rs-vlan|olt-1",
        "ordinal": 100,
        "owner": "ro-1/1",
        "value": '{"vlanId": 100}',
        "created_at": "2026-01-01T00:00:00.000Z",
    }
    cascade.database.write_sync(lambda c: c.execute(insert(allocation), [row]))
    park(cascade, "sub-down", 1)
    page = client.get("/console/watch")
    assert page.status_code == 200
    text = page.text
    for order in (held, pending, failed, later):
        assert order["id"] in text
    assert done["id"] not in text
    assert "rs-vlan|olt-1" in text and "vlanId=100" in text and "ro-1/1" in text
    assert "sub-down" in text


def test_the_catalog_as_a_decomposition(client: Client, cascade: Cascade) -> None:
    cascade.catalogs.load(demo_catalog())
    listed = client.get("/console/catalog")
    assert listed.status_code == 200 and "po-fibre-broadband" in listed.text
    tree = client.get("/console/catalog/po-fibre-broadband").text
    for label in ("Offering", "Product specification", "CFS", "RFS", "Resource specification"):
        assert f'data-label="{label}"' in tree
    assert "rs-gpon-port" in tree and "pool size" in tree
    assert client.get("/console/catalog/no-such-offering").status_code == 404


def test_pages_of_25_newest_first(client: Client) -> None:
    created = [placed(client, f"ext-{n:02d}")["id"] for n in range(27)]
    first = client.get("/console/").text
    assert "27 found" in first and "page 1 of 2" in first
    assert created[-1] in first and created[0] not in first
    second = client.get("/console/", params={"page": "2"}).text
    assert "page 2 of 2" in second
    assert sum(order_id in second for order_id in created) == 2
