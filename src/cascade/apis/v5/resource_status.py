"""TMF639's resource states and statuses between v4 and v5 (docs/versions.md, ADR 0028).

v4 says how a resource stands in one `resourceStatus` (ResourceStatusType: `standby`,
`alarm`, `available`, `reserved`, `unknown`, `suspended`), which the controllers set. v5 has
no such attribute: it splits it into the ITU-T X.731 / M.3701 statuses, each its own
attribute. Each v4 value is said by one v5 attribute and value (`CARRIERS`); v5 shows that
instead of `resourceStatus`. A v5 write sets `resourceStatus` from its statuses, the first
of `CARRIERS` (most exceptional first) that `SAYS` holds; every other v5 status is stored
as given (v4 shows it under its v5 name, a marked extension). A v4 change of
`resourceStatus` wins: a stored v5 status that would say a value before the one stored is
older than it, and is not shown.

v4 and v5 also spell two states differently: `operationalState` `enable`/`disable` (v5
`enabled`/`disabled`) and `administrativeState` `shutdown` (v5 `shuttingDown`).
"""

from __future__ import annotations

from typing import Any

from cascade.tmf.matching import values_at

Doc = dict[str, Any]
STATUS = "resourceStatus"
ALARMS = "alarmStatus"  # the one multi-valued status (a list)
# What v5 lists for it (ResourceAlarmStatusType): an entry written otherwise through v4 is
# not shown (ADR 0040), and a list of none of them says nothing.
ALARM_VALUES = ("underRepair", "critical", "major", "minor", "alarmOutstanding")

# v4 resourceStatus -> the v5 attribute and value that say it, the most exceptional first.
CARRIERS: dict[str, tuple[str, Any]] = {
    "alarm": (ALARMS, "alarmOutstanding"),
    "unknown": ("unknownStatus", True),
    "suspended": ("controlStatus", "suspended"),
    "reserved": ("allocationStatus", "reserved"),
    "available": ("availabilityStatus", "online"),
    "standby": ("standbyStatus", "coldStandby"),
}
# What else a v5 client may write that says the same v4 value (X.731's descriptions).
SAYS: dict[str, dict[str, tuple[Any, ...]]] = {
    "alarm": {"availabilityStatus": ("failed",)},
    "available": {"availabilityStatus": ("online", "degraded")},
    "standby": {"standbyStatus": ("coldStandby", "hotStandby")},
}
STATES = {
    "operationalState": {"enabled": "enable", "disabled": "disable"},
    "administrativeState": {"shuttingDown": "shutdown"},
}  # v5 -> v4


def _is(held: Any, value: Any) -> bool:
    """`held` is `value`, of its type (`True`, not `1`)."""
    return type(held) is type(value) and bool(held == value)


def _saying(document: Doc, status: str) -> list[str]:
    """The attributes of the document whose v5 value says v4's `status`."""
    attribute, value = CARRIERS[status]
    held = document.get(attribute)
    found = []
    if (isinstance(held, list) and bool(held)) if attribute == ALARMS else _is(held, value):
        found.append(attribute)
    others = SAYS.get(status, {}).items()
    return found + [a for a, values in others if a not in found and document.get(a) in values]


def statuses_to_stored(document: Doc) -> None:
    """A v5 resource's states and statuses in the stored (v4) form, in place."""
    for attribute, names in STATES.items():
        state = document.get(attribute)
        if isinstance(state, str):
            document[attribute] = names.get(state, state)
    said = next((s for s in CARRIERS if _saying(document, s)), None)
    if said is None:
        return  # nothing v4 has a value for: a `resourceStatus` given stays as given
    document[STATUS] = said
    attribute, value = CARRIERS[said]
    if _is(document.get(attribute), [value] if attribute == ALARMS else value):
        del document[attribute]  # said again when shown


def _alarms_listed(document: Doc) -> None:
    """`alarmStatus` as v5 declares it, a list of the values it lists, in place. v4 declares
    none, so a v4 client may have stored anything there: a plain string is one alarm, null
    none, nested lists their values, and an entry v5 does not list (`"fan failure"`) is not
    shown: what a filter reads there (`tmf/matching.py`, `resource_filters.py`)."""
    if ALARMS not in document:
        return
    held = document[ALARMS]
    if held is None:
        del document[ALARMS]
    else:
        document[ALARMS] = [value for value in values_at(held, ()) if value in ALARM_VALUES]


def statuses_from_stored(document: Doc) -> None:
    """A stored resource's states and statuses in v5 terms, in place."""
    _alarms_listed(document)
    for attribute, names in STATES.items():
        state = document.get(attribute)
        if isinstance(state, str):
            reverse = {v4: v5 for v5, v4 in names.items()}
            document[attribute] = reverse.get(state, state)
    status = document.get(STATUS)
    if status not in CARRIERS:
        return  # none (or not v4's): shown as stored
    del document[STATUS]
    for older in list(CARRIERS)[: list(CARRIERS).index(status)]:
        for attribute in _saying(document, older):  # written before v4's status changed
            del document[attribute]
    if not _saying(document, status):
        attribute, value = CARRIERS[status]
        document[attribute] = [value] if attribute == ALARMS else value
