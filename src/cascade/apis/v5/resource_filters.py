"""TMF639 v5 filters on the states and statuses v5 derives from the stored resource (ADR 0035).

v5 shows a resource's X.731 statuses as `statuses_from_stored` derives them from v4's
`resourceStatus` and the statuses stored beside it (`resource_status.py`, ADR 0028), and two
states under other values (`enabled` for `enable`). A v5 filter on one of them is said here in
stored terms, for the database: `availabilityStatus=online` holds of a resource whose
`resourceStatus` is `available` (unless a v5 client stored `degraded`), or which stored
`online` under a `resourceStatus` that does not hide it. Each branch is one `resourceStatus`
(or none of v4's), with what the stored status must then be. Only `eq` and `ne` (a value or a
list) can be said so; a range is a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cascade.apis.v5.resource_status import ALARM_VALUES, ALARMS, CARRIERS, SAYS, STATES, STATUS
from cascade.tmf.errors import bad_request
from cascade.tmf.query import AnyOf, Condition, Scalar
from cascade.tmf.schema import ResolvedPath, Shape

Branch = tuple[Condition, ...]
_RANKED = tuple(CARRIERS)  # the most exceptional first
_STATUS_PATH = ResolvedPath((STATUS,), Shape(kind="string"), False)


def _stored(condition: Condition, op: str, values: tuple[Any, ...]) -> Condition:
    """The condition on the stored attribute of the same name."""
    return Condition(condition.attribute, condition.path, op, values)  # type: ignore[arg-type]


def _status(op: str, values: tuple[str, ...]) -> Condition:
    return Condition(STATUS, _STATUS_PATH, op, values)  # type: ignore[arg-type]


def _saying(attribute: str, status: str) -> tuple[Any, ...]:
    """The values of `attribute` that say v4's `status`."""
    carrier, value = CARRIERS[status]
    own = (value,) if carrier == attribute else ()
    return own + tuple(v for v in SAYS.get(status, {}).get(attribute, ()) if v not in own)


def _when(condition: Condition, status: str) -> Branch | None:
    """What the stored attribute must be for the shown one to pass `condition` when the
    stored `resourceStatus` is `status`: () always, None never."""
    attribute, wanted, equal = condition.attribute, condition.values, condition.op == "eq"
    carrier, said = CARRIERS[status]
    if carrier == attribute:  # shown as stored if it says `status`, as the carrier otherwise
        own = _saying(attribute, status)
        kept = tuple(v for v in own if v in wanted)
        rest = tuple(v for v in own if v not in wanted)
        if said in wanted:  # eq: anything but `rest`; ne: one of `rest`
            return _holds(condition, "ne" if equal else "eq", rest)
        return _holds(condition, "eq" if equal else "ne", kept)  # eq: one of `kept`
    older = {v for s in _RANKED[: _RANKED.index(status)] for v in _saying(attribute, s)}
    left = tuple(v for v in wanted if v not in older)  # an older status's value is hidden
    return _holds(condition, condition.op, left)


def _holds(condition: Condition, op: str, values: tuple[Any, ...]) -> Branch | None:
    """`op` on `values`; on no value, an `eq` never holds and a `ne` always does."""
    if values:
        return (_stored(condition, op, values),)
    return None if op == "eq" else ()


def status_filter(condition: Condition) -> AnyOf:
    """A v5 filter on a scalar X.731 status, in stored terms: one branch per way of holding."""
    _refuse_order(condition)
    as_stored = (_stored(condition, condition.op, condition.values),)
    by_branch: dict[Branch, list[str]] = {}
    for status in _RANKED:
        branch = _when(condition, status)
        if branch is not None:
            by_branch.setdefault(branch, []).append(status)
    branches: list[Branch] = [
        (_status("eq", tuple(statuses)), *branch)
        for branch, statuses in by_branch.items()
        if branch != as_stored
    ]
    # Shown as stored: under none of v4's values, or one that hides nothing here.
    plain = by_branch.get(as_stored, [])
    others = tuple(s for s in _RANKED if s not in plain)
    branches.append((_status("ne", others), *as_stored) if others else as_stored)
    return AnyOf(condition.attribute, tuple(branches))


def state_filter(names: dict[str, str]) -> Callable[[Condition], AnyOf]:
    """A v5 filter on a state v5 spells otherwise (`names`: v5 -> v4 value), in stored values:
    the v4 value and the v5 one if stored as is (`operationalState=enabled`: `enable`)."""

    def stored(condition: Condition) -> AnyOf:
        _refuse_order(condition)
        shown = {v4: v5 for v5, v4 in names.items()}
        values: list[Scalar] = []
        for value in condition.values:
            if value in names:
                values.append(names[str(value)])
            if value not in shown:
                values.append(value)
        if values:
            return AnyOf(condition.attribute, ((_stored(condition, condition.op, tuple(values)),),))
        return AnyOf(condition.attribute, () if condition.op == "eq" else ((),))

    return stored


def _refuse_order(condition: Condition) -> None:
    if condition.op not in ("eq", "ne"):
        raise bad_request(
            f"'{condition.attribute}.{condition.op}': v5 derives {condition.attribute} from the "
            "stored resource, so it can be filtered on values (eq, ne, a list), not an order",
            "invalidFilter",
        )


def alarm_filter(condition: Condition) -> AnyOf:
    """A v5 filter on `alarmStatus` (a list: `eq` finds a resource showing one of the values,
    `ne` one showing none of them), in stored terms.

    Under `resourceStatus: alarm` v5 shows the stored list, or `[alarmOutstanding]` when it
    holds none of the values v5 lists (`ALARM_VALUES`: a free text written through v4 is not
    shown) and no stored `availabilityStatus: failed` says the alarm instead; under a
    later v4 value it shows no stored alarm (an older status); otherwise the stored list."""
    _refuse_order(condition)
    later, said = _RANKED[1:], CARRIERS["alarm"][1]
    as_stored = _stored(condition, condition.op, condition.values)
    in_alarm = _status("eq", ("alarm",))
    if condition.op == "eq":
        branches: list[Branch] = [(_status("ne", later), as_stored)]
        if said in condition.values:  # shown when nothing stored says the alarm
            nothing = _stored(condition, "ne", ALARM_VALUES)  # nothing v5 shows
            branches.append((in_alarm, nothing, _failed(condition, "ne")))
        return AnyOf(condition.attribute, tuple(branches))
    branches = [(_status("eq", later),)]  # no stored alarm shown: none of the values
    if said not in condition.values:
        return AnyOf(condition.attribute, (*branches, (_status("ne", later), as_stored)))
    something = _stored(condition, "eq", ALARM_VALUES)
    return AnyOf(
        condition.attribute,
        (
            *branches,
            (_status("ne", _RANKED), as_stored),
            (in_alarm, as_stored, _failed(condition, "eq")),  # an alarm said otherwise
            (in_alarm, as_stored, something),  # stored alarms, none of the values
        ),
    )


def _failed(condition: Condition, op: str) -> Condition:
    """`availabilityStatus` is (`eq`) or is not (`ne`) `failed`: it says the alarm."""
    path = ResolvedPath(("availabilityStatus",), Shape(kind="string"), False)
    values = SAYS["alarm"]["availabilityStatus"]
    return Condition("availabilityStatus", path, op, values)  # type: ignore[arg-type]


def derived_filters() -> dict[str, Callable[[Condition], AnyOf]]:
    """Each attribute v5 derives, and how a filter on it is said in stored terms."""
    filters: dict[str, Callable[[Condition], AnyOf]] = {
        attribute: status_filter for attribute, _ in CARRIERS.values() if attribute != ALARMS
    }
    filters[ALARMS] = alarm_filter
    for attribute, names in STATES.items():
        filters[attribute] = state_filter(names)
    return filters
