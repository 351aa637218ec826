"""TMF639 v4 `resourceStatus` and the v5 statuses that say it (apis/v5/resource_status.py,
docs/versions.md): every v4 value shown in v5 and back, v5 writes reflected in v4, nothing
lost either way, and a later v4 change winning over what v5 wrote before it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cascade.apis.v5.resource import ResourceView
from cascade.apis.v5.resource_status import ALARM_VALUES, CARRIERS
from cascade.tmf.spec import load_swagger, official_definitions
from tests.api.official_schemas import OfficialSchemas

V4_FILE = "TMF639-ResourceInventory-v4.0.0.swagger.json"
V5_FILE = "TMF639-ResourceInventory-v5.0.0.oas.yaml"
VIEW = ResourceView()
OFFICIAL = OfficialSchemas()
SHOWN: dict[str, dict[str, Any]] = {
    "available": {"availabilityStatus": "online"},
    "reserved": {"allocationStatus": "reserved"},
    "alarm": {"alarmStatus": ["alarmOutstanding"]},
    "standby": {"standbyStatus": "coldStandby"},
    "unknown": {"unknownStatus": True},
    "suspended": {"controlStatus": "suspended"},
}


def stored(**attributes: Any) -> dict[str, Any]:
    return {"id": "r-1", "name": "port", **attributes}


def shown(document: dict[str, Any]) -> dict[str, Any]:
    return VIEW.from_stored(copy.deepcopy(document))


def written(**attributes: Any) -> dict[str, Any]:
    return VIEW.to_stored({"@type": "Resource", "name": "port", **attributes})


def test_every_v4_status_is_in_the_table_and_said_in_v5() -> None:
    v4_enum = load_swagger(V4_FILE)["definitions"]["ResourceStatusType"]["enum"]
    assert sorted(CARRIERS) == sorted(v4_enum) == sorted(SHOWN)


@pytest.mark.parametrize("status", sorted(SHOWN))
def test_v4_status_shown_in_v5_and_stored_back(status: str) -> None:
    record = stored(resourceStatus=status, **{"@type": "Resource"})
    view = shown(record)
    OFFICIAL.check_shape(V5_FILE, "Resource", view)
    assert "resourceStatus" not in view
    assert {k: view[k] for k in SHOWN[status]} == SHOWN[status]
    assert VIEW.to_stored(view) == record


@pytest.mark.parametrize("status", sorted(SHOWN))
def test_v5_status_written_is_v4s(status: str) -> None:
    document = written(**SHOWN[status])
    assert document["resourceStatus"] == status
    assert not set(SHOWN[status]) & set(document)  # said again when shown, not stored twice
    assert {k: shown(document)[k] for k in SHOWN[status]} == SHOWN[status]


def test_states_spelt_otherwise_in_v4() -> None:
    document = written(operationalState="disabled", administrativeState="shuttingDown")
    assert (document["operationalState"], document["administrativeState"]) == (
        "disable",
        "shutdown",
    )
    view = shown(document)
    assert (view["operationalState"], view["administrativeState"]) == ("disabled", "shuttingDown")


def test_the_official_example_statuses_round_trip() -> None:
    example = load_swagger(V5_FILE)["components"]["examples"][
        "CreateResource_with_references_to_SubResource_request"
    ]
    document = copy.deepcopy(example["value"])
    statuses = {k: v for k, v in document.items() if k.endswith(("State", "Status"))}
    back = VIEW.to_stored(copy.deepcopy(document))
    assert back["resourceStatus"] == "available"  # availabilityStatus online
    assert back["allocationStatus"] == "allocated"  # no v4 value: kept under its v5 name
    assert {k: shown(back)[k] for k in statuses} == statuses


def test_the_most_exceptional_status_is_v4s_and_the_others_are_kept() -> None:
    document = written(availabilityStatus="online", controlStatus="suspended")
    assert document["resourceStatus"] == "suspended"
    assert document["availabilityStatus"] == "online"
    assert shown(document)["controlStatus"] == "suspended"
    view = shown(document)
    del view["controlStatus"]  # the suspension lifted through v5
    assert VIEW.to_stored(view)["resourceStatus"] == "available"


def test_other_v5_values_say_the_same_v4_value() -> None:
    assert written(availabilityStatus="degraded")["resourceStatus"] == "available"
    assert written(availabilityStatus="failed")["resourceStatus"] == "alarm"
    assert written(alarmStatus=["minor"])["resourceStatus"] == "alarm"
    assert written(standbyStatus="hotStandby")["resourceStatus"] == "standby"
    for attributes in ({"availabilityStatus": "degraded"}, {"alarmStatus": ["minor"]}):
        document = written(**attributes)
        assert {k: shown(document)[k] for k in attributes} == attributes  # kept as given


def test_a_v5_value_v4_has_no_word_for_is_kept_and_v4s_stays() -> None:
    document = written(availabilityStatus="inTest", resourceStatus="available")
    assert document["resourceStatus"] == "available"
    assert document["availabilityStatus"] == "inTest"
    unsaid = written(availabilityStatus="inTest", unknownStatus=False)
    assert "resourceStatus" not in unsaid
    assert shown(unsaid)["availabilityStatus"] == "inTest"
    assert shown(unsaid)["unknownStatus"] is False


def test_a_later_v4_change_wins() -> None:
    document = written(allocationStatus="reserved", availabilityStatus="online")
    assert document["resourceStatus"] == "reserved"
    document["resourceStatus"] = "available"  # the controller activated it
    view = shown(document)
    assert view["availabilityStatus"] == "online" and "allocationStatus" not in view
    document["resourceStatus"] = "standby"  # ceased: what v5 said of it before is over
    view = shown(document)
    assert view["standbyStatus"] == "coldStandby" and "availabilityStatus" not in view
    failed = written(availabilityStatus="failed")
    failed["resourceStatus"] = "available"
    assert shown(failed)["availabilityStatus"] == "online"


def test_v5_statuses_written_through_v4_as_v5_cannot_hold_them_are_left_out() -> None:
    """v4 declares none of v5's statuses (extensions: it takes any value); v5 lists or types
    each, so a null, a free-text alarm or a status of the wrong type is not shown, and the
    answer stays valid (docs/versions.md, "What is lost where"). The stored document keeps
    them as they were written."""
    document = stored(
        availabilityStatus=None,
        controlStatus="on fire",
        unknownStatus=None,
        alarmStatus=["critical", "smoke in rack 4"],
        usageState="idle",
    )
    view = shown(document)
    assert view["alarmStatus"] == ["critical"]
    assert "availabilityStatus" not in view and "controlStatus" not in view
    assert "unknownStatus" not in view
    assert view["usageState"] == "idle"
    OFFICIAL.check_shape(V5_FILE, "Resource", view)
    assert shown(stored(alarmStatus="smoke in rack 4"))["alarmStatus"] == []
    assert document["controlStatus"] == "on fire"


def test_the_alarm_values_are_the_v5_files() -> None:
    """`ALARM_VALUES` is what the v5 file lists for an alarm, neither more nor less."""
    listed = official_definitions(V5_FILE)["ResourceAlarmStatusType"]["enum"]
    assert set(ALARM_VALUES) == set(listed)
