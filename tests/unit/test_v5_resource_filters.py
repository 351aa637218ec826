"""TMF639 v5 filters on derived statuses and states, said in stored terms (ADR 0035).

Every stored combination of `resourceStatus` and the statuses v5 derives is shown through the
view, and a v5 filter must hold of the shown document exactly when its stored translation
holds of the stored one (the same meaning as the databases', `tmf/matching.py`).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cascade.apis.v5.resource_filters import derived_filters
from cascade.apis.v5.resource_status import statuses_from_stored
from cascade.tmf.errors import TmfError
from cascade.tmf.matching import matches
from cascade.tmf.query import AnyOf, Condition
from cascade.tmf.schema import ResolvedPath, Shape

STATUSES = ("alarm", "unknown", "suspended", "reserved", "available", "standby", "other", None)
STORED: dict[str, tuple[Any, ...]] = {
    "availabilityStatus": ("online", "degraded", "failed", "inTest", None),
    "allocationStatus": ("reserved", "allocated", None),
    "unknownStatus": (True, False, None),
    "operationalState": ("enable", "disable", None),
    "controlStatus": ("suspended", "subjectToTest", None),
    "administrativeState": ("shutdown", "locked"),
}
SHOWN: dict[str, tuple[Any, ...]] = {
    "availabilityStatus": ("online", "degraded", "failed", "inTest", "offLine"),
    "allocationStatus": ("reserved", "allocated"),
    "unknownStatus": (True, False),
    "operationalState": ("enabled", "disabled", "enable"),
    "administrativeState": ("shuttingDown", "locked", "shutdown"),
    "controlStatus": ("suspended", "subjectToTest"),
    "alarmStatus": ("alarmOutstanding", "critical", "minor"),
}
NULL = "stored null"  # a value stored as JSON null (None here: not stored at all)
# alarmStatus, with what it depends on (availabilityStatus: failed says the alarm too). v4
# declares no alarmStatus: written through v4 it may be anything, a plain string or null.
ALARMS: dict[str, tuple[Any, ...]] = {
    "alarmStatus": (
        ["critical"],
        ["alarmOutstanding"],
        ["minor", "alarmOutstanding"],
        [],
        None,
        NULL,
        "critical",
        "alarmOutstanding",
        [None],
        ["minor", None],
    ),
    "availabilityStatus": ("failed", "online", None),
    "unknownStatus": (True, None),
}


def _condition(attribute: str, op: str, values: tuple[Any, ...]) -> Condition:
    kind = "boolean" if isinstance(values[0], bool) else "string"
    return Condition(attribute, ResolvedPath((attribute,), Shape(kind=kind), False), op, values)  # type: ignore[arg-type]


def _holds(document: dict[str, Any], any_of: AnyOf) -> bool:
    return any(all(matches(document, c) for c in branch) for branch in any_of.branches)


def _shown(stored: dict[str, Any]) -> dict[str, Any]:
    shown = dict(stored)
    statuses_from_stored(shown)
    return shown


def _stored_and_shown(
    stored_values: dict[str, tuple[Any, ...]],
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    names = ["resourceStatus", *stored_values]
    combinations = itertools.product(STATUSES, *stored_values.values())
    stored = [
        {n: None if v == NULL else v for n, v in zip(names, values, strict=True) if v is not None}
        for values in combinations
    ]
    return [(document, _shown(document)) for document in stored]


DOCUMENTS = _stored_and_shown(STORED) + _stored_and_shown(ALARMS)


def _filters() -> list[Condition]:
    found = []
    for attribute, values in SHOWN.items():
        for size in (1, 2):
            for chosen in itertools.combinations(values, size):
                found += [_condition(attribute, op, chosen) for op in ("eq", "ne")]
    return found


@pytest.mark.parametrize("condition", _filters(), ids=lambda c: f"{c.attribute}.{c.op}={c.values}")
def test_a_derived_filter_holds_of_what_v5_shows(condition: Condition) -> None:
    translate = derived_filters()[condition.attribute]
    stored_filter = translate(condition)
    for stored, shown in DOCUMENTS:
        assert _holds(stored, stored_filter) == matches(shown, condition), (stored, shown)


def test_v5_shows_alarms_written_through_v4_as_a_list_of_values() -> None:
    """A plain string is one alarm, null none; under v4's `alarm`, no alarm of its own is
    shown `alarmOutstanding` (ADR 0038)."""
    for stored, shown in DOCUMENTS:
        if "alarmStatus" in shown:
            alarms = shown["alarmStatus"]
            assert isinstance(alarms, list) and None not in alarms, (stored, shown)
    for held, alarm, other in (
        (None, ["alarmOutstanding"], None),
        ("critical", ["critical"], ["critical"]),
        ([None], ["alarmOutstanding"], []),
    ):
        assert _shown({"resourceStatus": "alarm", "alarmStatus": held})["alarmStatus"] == alarm
        assert _shown({"alarmStatus": held}).get("alarmStatus") == other


def test_online_is_an_available_resource_or_a_stored_online_one() -> None:
    any_of = derived_filters()["availabilityStatus"](
        _condition("availabilityStatus", "eq", ("online",))
    )
    said = {tuple((c.attribute, c.op, c.values) for c in branch) for branch in any_of.branches}
    assert said == {
        (("resourceStatus", "eq", ("available",)), ("availabilityStatus", "ne", ("degraded",))),
        (
            ("resourceStatus", "ne", ("available", "standby")),
            ("availabilityStatus", "eq", ("online",)),
        ),
    }


@pytest.mark.parametrize(
    ("attribute", "op", "value"),
    [
        ("availabilityStatus", "gt", "online"),
        ("operationalState", "lt", "enabled"),
    ],
)
def test_what_cannot_be_said_in_stored_terms_is_a_400(attribute: str, op: str, value: str) -> None:
    with pytest.raises(TmfError) as refused:
        derived_filters()[attribute](_condition(attribute, op, (value,)))
    assert refused.value.status == 400
