"""One contract every TMF resource honours (TMF630), reused by a subclass per resource.

A subclass names the API and resource and gives a valid create body, a first-level text
attribute it can filter and patch, and a dotted path into a sub-resource to filter on.
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from litestar.testing import TestClient
from sqlalchemy import func, select

from cascade.apis import ALL_APIS
from cascade.bootstrap import Cascade
from cascade.storage.tables import event_outbox
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.events import event_types
from tests.api.official_schemas import OfficialSchemas

Client = TestClient[Any]


def api_by_code(code: str) -> ApiSpec:
    return next(api for api in ALL_APIS if api.code == code)


class ResourceContract:
    api_code: ClassVar[str]
    resource_name: ClassVar[str]
    body: ClassVar[dict[str, Any]]
    text_attribute: ClassVar[str]
    dotted: ClassVar[tuple[str, str]]  # a path into a sub-resource and a value the body has there
    wrong_type: ClassVar[dict[str, Any]]  # a body attribute with a value of the wrong type
    server_set: ClassVar[dict[str, str]] = {}  # attributes the server sets on create (value)
    non_patchable: ClassVar[tuple[str, ...]] = ("id", "href")  # besides id and href, say
    # What the system sets when the entity ends: a running order, a live record or activation
    # is not deleted (409, tests/api/test_chain_integrity.py), so the delete tests end it first.
    ended: ClassVar[dict[str, Any]] = {}
    # How this version names a stored attribute it shows under another name (v5 creationDate).
    renamed: ClassVar[dict[str, str]] = {}
    hub_body: ClassVar[dict[str, Any]] = {"callback": "http://127.0.0.1:9/listener"}

    # --- helpers ----------------------------------------------------------------------------

    @property
    def api(self) -> ApiSpec:
        return api_by_code(self.api_code)

    @property
    def resource(self) -> ResourceSpec:
        return self.api.resource(self.resource_name)

    @property
    def url(self) -> str:
        return f"{self.api.base_path}/{self.resource_name}"

    @property
    def operations(self) -> frozenset[str]:
        return self.api.operations(self.resource)

    def make_body(self, text: str = "alpha") -> dict[str, Any]:
        body = copy.deepcopy(self.body)
        body[self.text_attribute] = text
        return body

    def create(self, client: Client, cascade: Cascade, text: str = "alpha") -> dict[str, Any]:
        """Create through the API when the spec has POST, else as the system would."""
        if "create" in self.operations:
            response = client.post(self.url, json=self.make_body(text))
            assert response.status_code == 201, response.text
            created: dict[str, Any] = response.json()
            return created
        entities = cascade.repositories[self.resource.kind]
        saved = cascade.database.write_sync(lambda c: entities.insert(c, self.make_body(text)))
        return client.get(saved.href).json()  # type: ignore[no-any-return]

    def end(self, cascade: Cascade, id_: str) -> None:
        """Set `ended` on a stored entity as the system would, recording no event."""
        if not self.ended:
            return
        entities = cascade.repositories[self.resource.kind]

        def job(connection: Any) -> None:
            stored = entities.get(connection, id_, for_update=True)
            assert stored is not None
            document = {**json.loads(stored.doc), **self.ended}
            values = entities.table.indexed_values(document)
            entities.table.replace(connection, stored, json.dumps(document), values)

        cascade.database.write_sync(job)

    def assert_error(self, response: Any, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        assert {"code", "reason", "message", "status"} <= set(body), body
        assert body["status"] == str(status)
        assert "Traceback" not in response.text
        return body

    def count(self, client: Client) -> int:
        return int(client.get(self.url).headers["X-Total-Count"])

    # --- create -----------------------------------------------------------------------------

    def test_create_sets_server_fields(
        self, client: Client, cascade: Cascade, official: OfficialSchemas
    ) -> None:
        if "create" not in self.operations:
            return
        response = client.post(self.url, json=self.make_body())
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["id"]
        assert created["href"].endswith(f"{self.url}/{created['id']}")
        assert response.headers["Location"] == created["href"]
        assert response.headers["ETag"]
        assert created["@type"] == self.resource.entity
        assert created[self.text_attribute] == "alpha"
        for attribute, value in self.server_set.items():
            assert created[attribute] == value, attribute
        for date in (self.resource.kind.creation_date, self.resource.kind.last_update):
            if date:
                assert created[self.renamed.get(date, date)].endswith("Z")
        official.check(self.api.spec_file, self.resource.entity, created)

    def test_create_ignores_client_identity(self, client: Client) -> None:
        if "create" not in self.operations:
            return
        body = {**self.make_body(), "id": "chosen-by-client", "href": "http://elsewhere/x"}
        created = client.post(self.url, json=body).json()
        assert created["id"] != "chosen-by-client"
        assert created["href"].startswith("http://testserver.local/")

    def test_create_rejects_bad_input_and_stores_nothing(self, client: Client) -> None:
        if "create" not in self.operations:
            return
        wrong = {**self.make_body(), **self.wrong_type}
        self.assert_error(client.post(self.url, json=wrong), 400)
        self.assert_error(
            client.post(self.url, content=b'{"oops', headers={"content-type": "application/json"}),
            400,
        )
        self.assert_error(client.post(self.url, json=[self.make_body()]), 400)
        self.assert_error(
            client.post(self.url, content=b"x=1", headers={"content-type": "text/plain"}), 415
        )
        self.assert_error(
            client.post(self.url, content=b"{" + b'"a":"' + b"x" * 2_000_000 + b'"}'), 413
        )
        assert self.count(client) == 0

    # --- retrieve ---------------------------------------------------------------------------

    def test_retrieve(self, client: Client, cascade: Cascade, official: OfficialSchemas) -> None:
        created = self.create(client, cascade)
        response = client.get(f"{self.url}/{created['id']}")
        assert response.status_code == 200
        assert response.json() == created
        official.check(self.api.spec_file, self.resource.entity, response.json())
        partial = client.get(f"{self.url}/{created['id']}", params={"fields": self.text_attribute})
        assert partial.json() == {
            "id": created["id"],
            "href": created["href"],
            self.text_attribute: "alpha",
        }
        self.assert_error(client.get(f"{self.url}/does-not-exist"), 404)
        self.assert_error(client.get(f"{self.url}/{created['id']}", params={"fields": "nope"}), 400)

    def test_mandatory_attributes_in_get_and_list(
        self, client: Client, cascade: Cascade, official: OfficialSchemas
    ) -> None:
        """Every attribute the conformance profile makes mandatory is in each answer."""
        self.create(client, cascade)
        mandatory = self.api.spec.mandatory(self.resource.entity)
        assert {"id", "href", "@type"} <= mandatory, mandatory
        listed = client.get(self.url).json()
        assert listed
        for document in listed:
            assert mandatory <= set(document), mandatory - set(document)
            one = client.get(f"{self.url}/{document['id']}").json()
            assert mandatory <= set(one), mandatory - set(one)
            official.check_profile(self.api.spec_file, self.resource.entity, one)

    # --- list -------------------------------------------------------------------------------

    def test_list_paging_and_counts(self, client: Client, cascade: Cascade) -> None:
        ids = [self.create(client, cascade, f"item-{n}")["id"] for n in range(5)]
        response = client.get(self.url, params={"limit": 2, "offset": 1})
        assert response.status_code == 200
        assert [e["id"] for e in response.json()] == ids[1:3]
        assert response.headers["X-Total-Count"] == "5"
        assert response.headers["X-Result-Count"] == "2"
        everything = client.get(self.url)
        assert [e["id"] for e in everything.json()] == ids
        self.assert_error(client.get(self.url, params={"limit": 0}), 400)
        self.assert_error(client.get(self.url, params={"limit": 100_000}), 400)
        self.assert_error(client.get(self.url, params={"offset": -1}), 400)
        self.assert_error(client.get(self.url, params={"offset": "x"}), 400)

    def test_list_fields(self, client: Client, cascade: Cascade) -> None:
        self.create(client, cascade)
        listed = client.get(self.url, params={"fields": self.text_attribute}).json()
        assert set(listed[0]) == {"id", "href", self.text_attribute}
        self.assert_error(client.get(self.url, params={"fields": "notAnAttribute"}), 400)

    def test_filters(self, client: Client, cascade: Cascade) -> None:
        a = self.create(client, cascade, "alpha")
        b = self.create(client, cascade, "beta")
        c = self.create(client, cascade, "gamma,delta")

        def ids(**params: Any) -> list[str]:
            response = client.get(self.url, params=params)
            assert response.status_code == 200, response.text
            assert response.headers["X-Total-Count"] == str(len(response.json()))
            return [e["id"] for e in response.json()]

        attr = self.text_attribute
        assert ids(**{attr: "alpha"}) == [a["id"]]
        assert ids(**{f"{attr}.eq": "beta"}) == [b["id"]]
        assert ids(**{attr: "alpha,beta"}) == [a["id"], b["id"]]
        assert ids(**{attr: '"gamma,delta"'}) == [c["id"]]
        assert ids(**{f"{attr}.ne": "alpha"}) == [b["id"], c["id"]]
        assert ids(**{f"{attr}.gt": "alpha"}) == [b["id"], c["id"]]
        assert ids(**{f"{attr}.gte": "beta"}) == [b["id"], c["id"]]
        assert ids(**{f"{attr}.lt": "beta"}) == [a["id"]]
        assert ids(**{f"{attr}.lte": "beta"}) == [a["id"], b["id"]]
        path, value = self.dotted
        assert ids(**{path: value}) == [a["id"], b["id"], c["id"]]
        assert ids(**{path: f"{value}-absent"}) == []
        assert ids(**{"id": b["id"]}) == [b["id"]]
        self.assert_error(client.get(self.url, params={"noSuchAttribute": "1"}), 400)
        self.assert_error(client.get(self.url, params={f"{path}x": "1"}), 400)

    def test_sort(self, client: Client, cascade: Cascade) -> None:
        for text in ("bravo", "alpha", "charlie"):
            self.create(client, cascade, text)
        attr = self.text_attribute
        ascending = client.get(self.url, params={"sort": attr}).json()
        assert [e[attr] for e in ascending] == ["alpha", "bravo", "charlie"]
        descending = client.get(self.url, params={"sort": f"-{attr}"}).json()
        assert [e[attr] for e in descending] == ["charlie", "bravo", "alpha"]
        self.assert_error(client.get(self.url, params={"sort": "noSuchAttribute"}), 400)

    # --- patch ------------------------------------------------------------------------------

    def test_merge_patch(self, client: Client, cascade: Cascade, official: OfficialSchemas) -> None:
        if "patch" not in self.operations:
            return
        created = self.create(client, cascade)
        for media in ("application/merge-patch+json", "application/json"):
            response = client.patch(
                f"{self.url}/{created['id']}",
                json={self.text_attribute: media},
                headers={"content-type": media},
            )
            assert response.status_code == 200, response.text
            assert response.json()[self.text_attribute] == media
            official.check(self.api.spec_file, self.resource.entity, response.json())
        stored = client.get(f"{self.url}/{created['id']}").json()
        assert stored[self.text_attribute] == "application/json"
        assert client.get(self.url, params={self.text_attribute: "alpha"}).json() == []

    def test_json_patch(self, client: Client, cascade: Cascade) -> None:
        if "patch" not in self.operations:
            return
        created = self.create(client, cascade)
        operations = [{"op": "replace", "path": f"/{self.text_attribute}", "value": "patched"}]
        response = client.patch(
            f"{self.url}/{created['id']}",
            json=operations,
            headers={"content-type": "application/json-patch+json"},
        )
        assert response.status_code == 200, response.text
        assert response.json()[self.text_attribute] == "patched"
        bad = [{"op": "replace", "path": "/nothing/here", "value": 1}]
        self.assert_error(
            client.patch(
                f"{self.url}/{created['id']}",
                json=bad,
                headers={"content-type": "application/json-patch+json"},
            ),
            400,
        )

    def test_patch_refusals_change_nothing(self, client: Client, cascade: Cascade) -> None:
        if "patch" not in self.operations:
            return
        created = self.create(client, cascade)
        url = f"{self.url}/{created['id']}"
        for attribute in self.non_patchable:
            self.assert_error(client.patch(url, json={attribute: "2020-01-01T00:00:00Z"}), 400)
        self.assert_error(client.patch(url, json={**self.wrong_type}), 400)
        self.assert_error(client.patch(url, json=["not", "an", "object"]), 400)
        self.assert_error(
            client.patch(url, content=b"{}", headers={"content-type": "text/plain"}), 415
        )
        self.assert_error(client.patch(f"{self.url}/missing", json={self.text_attribute: "x"}), 404)
        for attribute in sorted(self.api.spec.mandatory(self.resource.entity)):
            self.assert_error(client.patch(url, json={attribute: None}), 400)
        assert client.get(url).json() == created

    def test_etag_and_if_match(self, client: Client, cascade: Cascade) -> None:
        if "patch" not in self.operations:
            return
        created = self.create(client, cascade)
        url = f"{self.url}/{created['id']}"
        etag = client.get(url).headers["ETag"]
        first = client.patch(url, json={self.text_attribute: "one"}, headers={"If-Match": etag})
        assert first.status_code == 200
        assert first.headers["ETag"] != etag
        stale = client.patch(url, json={self.text_attribute: "two"}, headers={"If-Match": etag})
        self.assert_error(stale, 412)
        assert client.get(url).json()[self.text_attribute] == "one"
        fresh = client.patch(
            url, json={self.text_attribute: "two"}, headers={"If-Match": first.headers["ETag"]}
        )
        assert fresh.status_code == 200

    # --- delete -----------------------------------------------------------------------------

    def test_delete(self, client: Client, cascade: Cascade) -> None:
        if "delete" not in self.operations:
            assert client.delete(f"{self.url}/anything").status_code == 405
            return
        created = self.create(client, cascade)
        self.end(cascade, created["id"])
        assert client.delete(f"{self.url}/{created['id']}").status_code == 204
        self.assert_error(client.get(f"{self.url}/{created['id']}"), 404)
        self.assert_error(client.delete(f"{self.url}/{created['id']}"), 404)

    # --- idempotency ------------------------------------------------------------------------

    def test_idempotency_key(self, client: Client) -> None:
        if "create" not in self.operations:
            return
        headers = {"Idempotency-Key": "retry-1"}
        first = client.post(self.url, json=self.make_body(), headers=headers)
        again = client.post(self.url, json=self.make_body(), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Location"] == first.headers["Location"]
        assert self.count(client) == 1
        other = client.post(self.url, json=self.make_body("different"), headers=headers)
        self.assert_error(other, 422)
        assert self.count(client) == 1

    # --- events -----------------------------------------------------------------------------

    def recorded_events(self, cascade: Cascade, entity_id: str) -> list[dict[str, Any]]:
        """The envelopes the outbox holds for one entity, oldest first."""
        kind = self.resource.kind.name
        rows = cascade.database.read_sync(
            lambda c: c.execute(
                select(event_outbox.c.envelope)
                .where(event_outbox.c.kind == kind, event_outbox.c.entity_id == entity_id)
                .order_by(event_outbox.c.seq)
            ).all()
        )
        return [json.loads(row.envelope) for row in rows]

    def subscribe(self, client: Client) -> None:
        """A subscription on this API's hub: without one, its events are not recorded."""
        response = client.post(f"{self.api.base_path}/hub", json=self.hub_body)
        assert response.status_code == 201, response.text

    def test_events_recorded_with_each_write(
        self, client: Client, cascade: Cascade, official: OfficialSchemas
    ) -> None:
        """Create, change and delete each leave their TMF event, shaped as the spec says."""
        spec = self.api.spec
        entity = self.resource.entity
        types = event_types(spec, entity, self.resource_name)
        assert types is not None, f"{entity} publishes no events"
        unheard = self.create(client, cascade)
        assert self.recorded_events(cascade, unheard["id"]) == []  # nobody subscribed yet
        self.subscribe(client)
        created = self.create(client, cascade)
        expected = [types.create]
        if "patch" in self.operations:
            patched = client.patch(
                f"{self.url}/{created['id']}", json={self.text_attribute: "changed"}
            )
            assert patched.status_code == 200, patched.text
            expected.append(types.change)
        if "delete" in self.operations:
            self.end(cascade, created["id"])
            assert client.delete(f"{self.url}/{created['id']}").status_code == 204
            expected.append(types.delete)
        envelopes = self.recorded_events(cascade, created["id"])
        assert [e["eventType"] for e in envelopes] == expected
        assert len({e["eventId"] for e in envelopes}) == len(envelopes)
        for envelope in envelopes:
            official.check(self.api.spec_file, envelope["eventType"], envelope)
            payload = envelope["event"][types.payload_key]
            assert payload["id"] == created["id"]
            official.check_profile(self.api.spec_file, entity, payload)
        if "patch" in self.operations:
            change = envelopes[1]
            assert change["event"][types.payload_key][self.text_attribute] == "changed"
            if "fieldPath" in spec.properties(str(types.change)):
                assert change["fieldPath"] == self.text_attribute

    def test_refused_write_records_no_event(self, client: Client, cascade: Cascade) -> None:
        if "create" not in self.operations:
            return
        self.subscribe(client)
        wrong = {**self.make_body(), **self.wrong_type}
        self.assert_error(client.post(self.url, json=wrong), 400)
        kind = self.resource.kind.name
        count = cascade.database.read_sync(
            lambda c: c.execute(
                select(func.count()).select_from(event_outbox).where(event_outbox.c.kind == kind)
            ).scalar_one()
        )
        assert count == 0

    # --- errors and hub ---------------------------------------------------------------------

    def test_unknown_path_and_method(self, client: Client) -> None:
        self.assert_error(client.get(f"{self.url}Nope"), 404)
        self.assert_error(client.put(f"{self.url}/x", json={}), 405)

    def test_hub(self, client: Client, official: OfficialSchemas) -> None:
        hub = f"{self.api.base_path}/hub"
        event_type = f"{self.resource.entity}CreateEvent"
        body = {
            **self.hub_body,
            "callback": "http://127.0.0.1:9000/listener",
            "query": f"eventType={event_type}",
        }
        response = client.post(hub, json=body)
        assert response.status_code == 201, response.text
        subscription = response.json()
        assert subscription["callback"] == body["callback"]
        assert subscription["query"] == body["query"]
        official.check(self.api.spec_file, self.api.hub.entity, subscription)
        # The signing secret Cascade made is shown once, at creation, and never again.
        secret = subscription.pop("secret")
        assert isinstance(secret, str) and len(secret) >= 32
        assert client.get(f"{hub}/{subscription['id']}").json() == subscription
        self.assert_error(client.post(hub, json={"query": "x"}), 400)
        unknown_type = {**body, "query": "eventType=NoSuchEvent"}
        self.assert_error(client.post(hub, json=unknown_type), 400)
        unknown_field = {**body, "query": "event.nothing.state=x"}
        self.assert_error(client.post(hub, json=unknown_field), 400)
        self.assert_error(client.post(hub, json={**self.hub_body, "callback": "ftp://x/y"}), 400)
        userinfo = {**self.hub_body, "callback": "http://user:pw@host/y"}
        self.assert_error(client.post(hub, json=userinfo), 400)
        assert client.delete(f"{hub}/{subscription['id']}").status_code == 204
        self.assert_error(client.delete(f"{hub}/{subscription['id']}"), 404)
