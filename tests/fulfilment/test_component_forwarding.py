"""COM as a component, in process, in front of a scripted SOM (an httpx mock transport).

What the follower sends and how it takes the answers: the create body, the Idempotency-Key
kept across retries while SOM is down, a refusal carried up as the product order's reason,
the hub subscription made once with a secret COM chose. The real three-process deployment is
tested in tests/e2e/test_components.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cascade.apis import kinds
from cascade.events.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from cascade.storage.tables import component_link, remote_order
from tests.conftest import PUBLIC_URL
from tests.fulfilment.conftest import SOM_URL, Chain, broadband, com_before

SOM = SOM_URL
SO_PATH = "/tmf-api/serviceOrdering/v4/serviceOrder"
HUB_PATH = "/tmf-api/serviceOrdering/v4/hub"


@dataclass
class ScriptedSom:
    """Answers like SOM would; `down` POSTs fail to connect first; `refuse` answers 400."""

    down: int = 0
    refuse: bool = False
    refuse_hub: int = 0  # subscriptions refused before one is taken
    posts: list[httpx.Request] = field(default_factory=list)
    subscriptions: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    services_read: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            if request.url.path == HUB_PATH:
                self.subscriptions.append(json.loads(request.content))
                if len(self.subscriptions) <= self.refuse_hub:
                    return httpx.Response(400, json={"code": "callbackNotAllowed"})
                return httpx.Response(201, json={"id": "sub-1", "callback": "x"})
            if request.method == "POST":
                return self._post(request)
            if request.url.path == "/svc":  # TMF638 services, read by COM (?id=a,b)
                ids = request.url.params["id"].split(",")
                return httpx.Response(200, json=[self._service(f"/svc/{i}") for i in ids])
            order = self.orders[request.url.path.rsplit("/", 1)[-1]]
            return httpx.Response(200, json=_completed(order), headers={"ETag": '"2"'})

    def _service(self, path: str) -> dict[str, Any]:
        self.services_read.append(path)
        for order in self.orders.values():
            for item in _completed(order)["serviceOrderItem"]:
                if item["service"]["href"].endswith(path):
                    return {**item["service"], "state": "active"}
        raise AssertionError(f"no service at {path}")

    def _post(self, request: httpx.Request) -> httpx.Response:
        self.posts.append(request)
        if len(self.posts) <= self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.refuse:
            body = {"code": "invalid", "reason": "no", "message": "SOM says no", "status": "400"}
            return httpx.Response(400, json=body)
        order_id = f"som-{len(self.orders) + 1}"
        order = {
            **json.loads(request.content),
            "id": order_id,
            "href": f"{SOM}{SO_PATH}/{order_id}",
            "state": "acknowledged",
        }
        self.orders[order_id] = order
        return httpx.Response(201, json=order, headers={"ETag": '"1"'})


def _completed(order: dict[str, Any]) -> dict[str, Any]:
    items = []
    for item in order["serviceOrderItem"]:
        service_id = f"{order['id']}-{item['id']}"
        service = {**item["service"], "id": service_id, "href": f"{SOM}/svc/{service_id}"}
        items.append({**item, "state": "completed", "service": service})
    return {**order, "state": "completed", "serviceOrderItem": items}


@pytest.fixture
def som() -> ScriptedSom:
    return ScriptedSom()


@pytest.fixture
def com(database_url: str, som: ScriptedSom) -> Iterator[Chain]:
    with com_before(database_url, som, poll_interval_s=0.2) as running:
        yield running


def test_the_service_order_is_created_at_som_and_followed_to_completion(
    com: Chain, som: ScriptedSom
) -> None:
    placed = com.place(broadband())
    order = com.wait_for(placed["id"])
    assert order["state"] == "completed", order.get("note")
    [post] = som.posts
    body = json.loads(post.content)
    # A create body: no id, href, state or item states; it names the product order.
    assert not {"id", "href", "state"} & set(body)
    assert all("state" not in item for item in body["serviceOrderItem"])
    assert {ref["id"] for ref in body["externalReference"]} == {placed["id"], "1"}
    assert post.headers["Idempotency-Key"].startswith("cascade-tmf641.serviceOrder-")
    # The product is realized by the services SOM reported, at SOM's hrefs.
    product = com.get(order["productOrderItem"][0]["product"]["href"].removeprefix(PUBLIC_URL))
    assert {s["href"].split("/svc/")[0] for s in product["realizingService"]} == {SOM}
    # COM read each service the order made, and keeps it (not served) for later changes.
    assert len(som.services_read) == len(body["serviceOrderItem"])
    replicas = com.cascade.database.read_sync(
        lambda c: com.cascade.repositories[kinds.SERVICE].find(c, [])
    )
    assert sorted(r["href"] for r in replicas) == sorted(f"{SOM}{p}" for p in som.services_read)
    # COM serves no TMF641: the mirror is not reachable through COM's API.
    assert com.client.get(SO_PATH).status_code == 404


def test_som_down_delays_the_order_and_the_retries_reuse_the_key(
    com: Chain, som: ScriptedSom
) -> None:
    som.down = 3
    placed = com.place(broadband())
    assert com.wait_for(placed["id"])["state"] == "completed"
    assert len(som.posts) == 4
    assert len({post.headers["Idempotency-Key"] for post in som.posts}) == 1
    assert len(som.orders) == 1


def test_a_refusal_by_som_fails_the_item_with_soms_answer(com: Chain, som: ScriptedSom) -> None:
    som.refuse = True
    placed = com.place(broadband())
    order = com.wait_for(placed["id"])
    assert order["state"] == "failed"
    notes = " ".join(note["text"] for note in order["note"])
    assert "rejected" in notes and "400 SOM says no" in notes
    rows = com.cascade.database.read_sync(
        lambda c: c.execute(select(remote_order.c.phase, remote_order.c.reason)).all()
    )
    assert [row.phase for row in rows] == ["failed"]
    assert len(som.posts) == 1  # a refusal is not retried


def stored_link(com: Chain) -> Any:
    """COM's record of its subscription to SOM's hub."""
    return com.cascade.database.read_sync(lambda c: c.execute(select(component_link)).one())


def test_com_subscribes_to_soms_hub_once_with_a_secret_it_keeps(
    com: Chain, som: ScriptedSom
) -> None:
    com.until(lambda: bool(som.subscriptions))
    [subscription] = som.subscriptions
    assert subscription["callback"] == f"{PUBLIC_URL}/cascade/inbox/som"
    assert len(subscription["secret"]) >= 16
    com.until(lambda: stored_link(com).subscription_id is not None)  # once SOM's answer is back
    stored = stored_link(com)
    assert stored.secret == subscription["secret"] and stored.subscription_id == "sub-1"


def test_a_refused_subscription_is_tried_again_and_polling_follows_meanwhile(
    com: Chain, som: ScriptedSom
) -> None:
    som.refuse_hub = 1
    placed = com.place(broadband())
    assert com.wait_for(placed["id"])["state"] == "completed"  # followed by polling alone
    com.until(lambda: len(som.subscriptions) == 2)
    [secret] = {each["secret"] for each in som.subscriptions}  # the same secret, kept

    # SOM has answered; COM records the subscription once the answer is back.
    com.until(lambda: stored_link(com).subscription_id is not None)
    stored = stored_link(com)
    assert stored.subscription_id == "sub-1" and stored.secret == secret


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"event": {"serviceOrder": {"id": "caf\xe9"}}}', "invalidEncoding"),
        (b"{", "malformedJson"),
    ],
    ids=["not-utf8", "not-json"],
)
def test_a_signed_delivery_that_is_not_utf8_json_is_a_400(
    com: Chain, som: ScriptedSom, raw: bytes, code: str
) -> None:
    com.until(lambda: bool(som.subscriptions))
    com.until(lambda: stored_link(com).subscription_id is not None)  # once SOM's answer is back
    secret, timestamp = stored_link(com).secret, "1700000000"
    headers = {
        SIGNATURE_HEADER: sign(secret, timestamp, raw),
        TIMESTAMP_HEADER: timestamp,
        "content-type": "application/json",
    }
    answer = com.client.post("/cascade/inbox/som", content=raw, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == code
