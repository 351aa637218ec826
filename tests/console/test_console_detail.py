"""An order's detail: retrying a failed activation (a new TMF622 order for the failed `add`
items, through the API's create, offered only where nothing of them is live), and inventory
records not written yet shown as pending while the order runs."""

from __future__ import annotations

from typing import Any

from cascade.bootstrap import Cascade
from tests.api.chain_records import PO
from tests.console.helpers import Client, post_form
from tests.console.trees import item as _item
from tests.console.trees import product_order as ended_order
from tests.console.trees import with_service


def orders(client: Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(PO).json()
    return found


def test_a_failed_order_is_retried_once_as_a_new_order(client: Client, cascade: Cascade) -> None:
    failed = ended_order(cascade, "partial", _item("1", "completed"), _item("2", "failed"))
    detail = f"/console/productOrder/{failed['id']}"
    page = client.get(detail).text
    assert 'data-action="retry"' in page, page.split("<main")[1][:1500]
    assert 'data-confirm="Place a new product order' in page
    done = post_form(client, f"{detail}/retry", detail)
    assert "Retry order" in done.text and "for item(s) 2" in done.text
    placed = [order for order in orders(client) if order["id"] != failed["id"]]
    assert len(placed) == 1
    retry = placed[0]
    assert retry["state"] == "acknowledged"
    assert [item["id"] for item in retry["productOrderItem"]] == ["2"]
    assert retry["productOrderItem"][0]["product"]["productCharacteristic"][0]["value"] == "1G"
    assert retry["relatedParty"][0]["id"] == "acme" and retry["externalId"] == "ext-retry"
    assert failed["id"] in retry["description"]
    again = post_form(client, f"{detail}/retry", detail)  # a second click: the same order
    assert retry["id"] in again.text
    assert len(orders(client)) == 2
    assert client.get(f"{PO}/{failed['id']}").json()["state"] == "partial"  # final, unchanged


def test_no_retry_while_an_activation_is_live(client: Client, cascade: Cascade) -> None:
    failed = ended_order(cascade, "failed", _item("1", "failed"))
    with_service(cascade, failed, "active")
    detail = f"/console/productOrder/{failed['id']}"
    page = client.get(detail).text
    assert 'data-action="retry"' not in page
    assert "not retried from here" in page and "(active) is still live" in page
    refused = post_form(client, f"{detail}/retry", detail)  # posted anyway: refused
    assert "Refused (409 retryNotSafe)" in refused.text
    assert len(orders(client)) == 1


def test_no_retry_of_a_modify_or_of_an_order_that_did_not_fail(
    client: Client, cascade: Cascade
) -> None:
    modify = ended_order(cascade, "failed", _item("1", "failed", action="modify"))
    detail = f"/console/productOrder/{modify['id']}"
    assert "is a failed modify" in client.get(detail).text
    assert "Refused (409" in post_form(client, f"{detail}/retry", detail).text
    done = ended_order(cascade, "completed", _item("1", "completed"))
    detail = f"/console/productOrder/{done['id']}"
    assert 'data-action="retry"' not in client.get(detail).text
    refused = post_form(client, f"{detail}/retry", detail)
    assert "Refused (409" in refused.text and "only a failed or partial" in refused.text
    assert len(orders(client)) == 2


def test_a_record_not_written_yet_is_pending_until_the_order_ends(
    client: Client, cascade: Cascade
) -> None:
    running = ended_order(cascade, "inProgress", _item("1", "inProgress"))
    with_service(cascade, running, "reserved")
    page = client.get(f"/console/productOrder/{running['id']}").text
    assert '<span class="state later">not yet recorded</span>' in page
    assert "not recorded<" not in page  # not shown as a failure while the order runs
    failed = ended_order(cascade, "failed", _item("1", "failed"))
    with_service(cascade, failed, "inactive")
    page = client.get(f"/console/productOrder/{failed['id']}").text
    assert '<span class="state bad">not recorded</span>' in page
