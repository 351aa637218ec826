"""v5 list filters and sorts on what a v5 view shows under another name or derives
(ADR 0035): TMF639's statuses and states, TMF622's and TMF637's renamed attributes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar.testing import TestClient

import tests.api.test_v5_catalogs as catalogs

Client = TestClient[Any]
RESOURCES4 = "/tmf-api/resourceInventoryManagement/v4/resource"
RESOURCES5 = "/tmf-api/resourceInventoryManagement/v5/resource"
ORDERS5 = "/tmf-api/productOrderingManagement/v5/productOrder"
PARTY = "relatedParty.partyOrPartyRole.id"


def _party(party: str) -> list[dict[str, Any]]:
    return [{"id": party, "role": "customer", "@referredType": "Individual"}]


def _resources(client: Client, party: str) -> dict[str, str]:
    """Resources of `party` as the controllers (v4) and a v5 client write them: name -> id."""
    v4 = {
        "available": {"resourceStatus": "available", "operationalState": "enable"},
        "standby": {"resourceStatus": "standby", "operationalState": "disable"},
        "reserved": {"resourceStatus": "reserved"},
        "bare": {},
    }
    ids = {}
    for name, extra in v4.items():
        body = {"name": name, "relatedParty": _party(party), **extra}
        created = client.post(RESOURCES4, json=body)
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    v5 = {
        "degraded": {"availabilityStatus": "degraded"},
        "reservedOnline": {"allocationStatus": "reserved", "availabilityStatus": "online"},
        "inTest": {"availabilityStatus": "inTest", "operationalState": "enabled"},
    }
    for name, extra in v5.items():
        related = [
            {
                "role": "customer",
                "partyOrPartyRole": {"id": party, "@type": "PartyRef"},
                "@type": "RelatedPartyRefOrPartyRoleRef",
            }
        ]
        body = {"@type": "LogicalResource", "name": name, "relatedParty": related, **extra}
        created = client.post(RESOURCES5, json=body)
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    return ids


def _listed(client: Client, party: str, **params: str) -> set[str]:
    response = client.get(RESOURCES5, params={PARTY: party, **params})
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(len(response.json()))
    return {resource["name"] for resource in response.json()}


def _shown(client: Client, ids: dict[str, str], attribute: str) -> dict[str, Any]:
    return {n: client.get(f"{RESOURCES5}/{i}").json().get(attribute) for n, i in ids.items()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"availabilityStatus": "online"}, {"available", "reservedOnline"}),
        ({"availabilityStatus": "online,degraded"}, {"available", "reservedOnline", "degraded"}),
        (
            {"availabilityStatus.ne": "online"},
            {"standby", "reserved", "bare", "degraded", "inTest"},
        ),
        ({"standbyStatus": "coldStandby"}, {"standby"}),
        ({"allocationStatus": "reserved"}, {"reserved", "reservedOnline"}),
        ({"operationalState": "enabled"}, {"available", "inTest"}),
        (
            {"operationalState.ne": "disabled"},
            {"available", "reserved", "bare", "degraded", "reservedOnline", "inTest"},
        ),
        ({"availabilityStatus": "online", "allocationStatus.ne": "reserved"}, {"available"}),
    ],
)
def test_a_v5_filter_finds_what_v5_shows(
    client: Client, params: dict[str, str], expected: set[str]
) -> None:
    """`availabilityStatus=online` finds the resources the controllers stored `available`,
    not only those a v5 client stored `online`; each answer is what v5 shows, filtered."""
    party = f"p-{uuid.uuid4().hex}"
    ids = _resources(client, party)
    assert _listed(client, party, **params) == expected
    for attribute, raw in params.items():
        name, _, op = attribute.partition(".")
        shown = _shown(client, ids, name)
        wanted = set(raw.split(","))
        holds = {n for n, v in shown.items() if (v in wanted) == (op != "ne")}
        assert expected <= holds


def test_a_v5_alarm_filter_finds_the_alarms_v5_shows(client: Client) -> None:
    """`alarmStatus` (a list): v4's `alarm` is shown `[alarmOutstanding]` unless a stored
    v5 status says it otherwise (a list of its own, `availabilityStatus: failed`)."""
    party = f"p-{uuid.uuid4().hex}"
    stored = {"alarm": {"resourceStatus": "alarm"}, "available": {"resourceStatus": "available"}}
    for name, extra in stored.items():
        body = {"name": name, "relatedParty": _party(party), **extra}
        assert client.post(RESOURCES4, json=body).status_code == 201
    written: dict[str, dict[str, Any]] = {
        "critical": {"alarmStatus": ["critical"]},
        "failed": {"availabilityStatus": "failed"},
    }
    related = [
        {
            "role": "customer",
            "partyOrPartyRole": {"id": party, "@type": "PartyRef"},
            "@type": "RelatedPartyRefOrPartyRoleRef",
        }
    ]
    for name, extra in written.items():
        v5 = {"@type": "LogicalResource", "name": name, "relatedParty": related, **extra}
        assert client.post(RESOURCES5, json=v5).status_code == 201
    every = {"alarm", "available", "critical", "failed"}
    for params, expected in (
        ({"alarmStatus": "alarmOutstanding"}, {"alarm"}),
        ({"alarmStatus": "critical,alarmOutstanding"}, {"alarm", "critical"}),
        ({"alarmStatus.ne": "alarmOutstanding"}, every - {"alarm"}),
        ({"alarmStatus.ne": "critical"}, every - {"critical"}),
    ):
        assert _listed(client, party, **params) == expected, params


def test_a_filter_v5_cannot_say_in_stored_terms_is_a_400(client: Client) -> None:
    for params in (
        {"availabilityStatus.gt": "online"},
        {"sort": "availabilityStatus"},
    ):
        refused = client.get(RESOURCES5, params=params)
        assert refused.status_code == 400, (params, refused.text)
        assert refused.json()["@type"] == "Error" and refused.json()["status"] == "400"


def _order(client: Client, party: str, ordered: str, channel: str) -> str:
    body = {
        "@type": "ProductOrder",
        "requestedInitialState": "draft",
        "requestedCompletionDate": ordered,
        "relatedParty": [
            {
                "role": "customer",
                "partyOrPartyRole": {"id": party, "@type": "PartyRef"},
                "@type": "RelatedPartyRefOrPartyRoleRef",
            }
        ],
        "channel": [
            {
                "role": "sales",
                "channel": {"id": channel, "@type": "ChannelRef"},
                "@type": "RelatedChannel",
            }
        ],
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "@type": "ProductOrderItem",
                "productOffering": {"id": "po-1", "@type": "ProductOfferingRef"},
                "product": {
                    "@type": "Product",
                    "agreementItem": [
                        {
                            "agreementId": f"agreement-{channel}",
                            "agreementItemId": "1",
                            "@type": "AgreementItemRef",
                        }
                    ],
                },
            }
        ],
    }
    created = client.post(ORDERS5, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_v5_order_filters_and_sorts_on_renamed_attributes(client: Client) -> None:
    """`creationDate` (stored `orderDate`) sorts and ranges; `channel.channel.id` (stored
    `channel.id`) and an item's `product.agreementItem.agreementId` (stored under
    `product.agreement`) filter."""
    party = f"p-{uuid.uuid4().hex}"
    first = _order(client, party, "2031-01-01T00:00:00Z", "web")
    second = _order(client, party, "2031-01-02T00:00:00Z", "shop")
    newest = client.get(ORDERS5, params={PARTY: party, "sort": "-creationDate"}).json()
    assert [o["id"] for o in newest] == [second, first]
    assert newest[0]["creationDate"] >= newest[1]["creationDate"]
    since = newest[0]["creationDate"]
    later = client.get(ORDERS5, params={PARTY: party, "creationDate.gte": since}).json()
    assert second in {o["id"] for o in later} and len(later) <= 2
    by_channel = client.get(ORDERS5, params={PARTY: party, "channel.channel.id": "shop"})
    assert by_channel.status_code == 200, by_channel.text
    assert [o["id"] for o in by_channel.json()] == [second]
    agreement = "productOrderItem.product.agreementItem.agreementId"
    by_agreement = client.get(ORDERS5, params={PARTY: party, agreement: "agreement-web"})
    assert [o["id"] for o in by_agreement.json()] == [first]


def test_v5_catalog_filters_on_renamed_characteristic_values(client: Client) -> None:
    """`resourceSpecCharacteristic.characteristicValueSpecification.valueType` (stored under
    v4's `resourceSpecCharacteristicValue`) filters."""
    name = f"spec-{uuid.uuid4().hex}"
    spec = catalogs.TestResourceSpecificationV5.body["resourceSpecCharacteristic"][0]
    values = [{"@type": "CharacteristicValueSpecification", "valueType": "integer", "value": 7}]
    written = {
        **catalogs.body("ResourceSpecification"),
        "name": name,
        "resourceSpecCharacteristic": [{**spec, "characteristicValueSpecification": values}],
    }
    created = client.post(f"{catalogs.R5}/resourceSpecification", json=written)
    assert created.status_code == 201, created.text
    path = "resourceSpecCharacteristic.characteristicValueSpecification.valueType"
    for value_type, found in (("integer", [created.json()["id"]]), ("string", [])):
        listed = client.get(
            f"{catalogs.R5}/resourceSpecification", params={"name": name, path: value_type}
        )
        assert listed.status_code == 200, listed.text
        assert [s["id"] for s in listed.json()] == found


# What a filter asks of each derived attribute, and what v4 declares no value for (ADR 0038).
ASKED: dict[str, tuple[str, ...]] = {
    "alarmStatus": ("alarmOutstanding", "critical", "critical,minor"),
    "availabilityStatus": ("online", "failed"),
    "allocationStatus": ("reserved",),
    "standbyStatus": ("coldStandby",),
    "controlStatus": ("suspended",),
    "unknownStatus": ("true",),
    "operationalState": ("enabled",),
}


def _shows(value: Any, asked: str) -> bool:
    """Whether a value v5 shows is one of `asked` (a list: one of its entries is)."""
    wanted = {True if each == "true" else each for each in asked.split(",")}
    return any(each in wanted for each in (value if isinstance(value, list) else [value]))


def test_alarms_written_through_v4_are_shown_and_found_alike(client: Client) -> None:
    """v4 declares no `alarmStatus`: a v4 client may store null, a plain string, free text
    or nested lists there. v5 shows a list of the values it lists (a string is one alarm,
    null none: under v4's `alarm` that is `[alarmOutstanding]`), and every derived filter
    finds exactly the resources whose v5 answer it holds of, with `eq` and `ne` alike."""
    party = f"p-{uuid.uuid4().hex}"
    written: dict[str, Any] = {
        "null": None,
        "string": "critical",
        "other": "fan failure",
        "others": ["fan failure", "major"],
        "nested": [["critical"]],
    }
    ids = {}
    for status in ("alarm", "available", "standby", None):
        for name, alarms in written.items():
            body = {"name": f"{name}-{status}", "relatedParty": _party(party)}
            body |= {"alarmStatus": alarms} | ({"resourceStatus": status} if status else {})
            created = client.post(RESOURCES4, json=body)
            assert created.status_code == 201, created.text
            assert client.get(f"{RESOURCES4}/{created.json()['id']}").json()["alarmStatus"] == (
                alarms
            )
            ids[body["name"]] = created.json()["id"]
    shown = {n: client.get(f"{RESOURCES5}/{i}").json() for n, i in ids.items()}
    assert shown["null-alarm"]["alarmStatus"] == ["alarmOutstanding"]
    assert shown["string-alarm"]["alarmStatus"] == ["critical"]
    assert shown["string-None"]["alarmStatus"] == ["critical"]
    # v5 lists the alarm values: free text is not shown (ADR 0040), and under v4's `alarm`
    # a list of none of them says the alarm as nothing stored does. A nested list is read
    # as a filter reads it, its values.
    assert shown["other-alarm"]["alarmStatus"] == ["alarmOutstanding"]
    assert shown["nested-alarm"]["alarmStatus"] == ["critical"]
    assert shown["others-None"]["alarmStatus"] == ["major"]
    assert shown["other-None"]["alarmStatus"] == []
    assert "alarmStatus" not in shown["null-None"] and "alarmStatus" not in shown["null-standby"]
    assert "alarmStatus" not in shown["string-available"]  # older than v4's change (ADR 0028)
    for attribute, asked in ASKED.items():
        for values in asked:
            holds = {n for n, v in shown.items() if _shows(v.get(attribute), values)}
            assert _listed(client, party, **{attribute: values}) == holds, (attribute, values)
            ne = _listed(client, party, **{f"{attribute}.ne": values})
            assert ne == set(shown) - holds, (attribute, values)
