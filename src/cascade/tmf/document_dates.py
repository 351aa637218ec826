"""Every date-time of a document in the canonical UTC form (tmf/instants.py), in place.

Each write (a client's create or patch, and every update a controller makes) normalises the
whole document, so the walk is on the hot path. It visits only what can hold a date-time:
each `Shape` gets a `DatePlan` once, naming its date-time attributes and the attributes whose
values may hold some further down (worked out over the shapes' graph, cycles included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cascade.tmf.errors import bad_request
from cascade.tmf.instants import normalize_instant
from cascade.tmf.schema import Shape

# The form `format_instant` writes; a valid date-time already in it is left as it is.
_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@dataclass(frozen=True)
class DatePlan:
    """What a shape's values hold of date-times: `dates`, its own date-time attributes;
    `nested`, its attributes whose values may hold some; `items`, its array's element shape
    when the elements may hold some."""

    dates: tuple[str, ...]
    nested: tuple[tuple[str, Shape], ...]
    items: Shape | None


# Shapes hash by identity (`eq=False`) and live as long as their API's description.
_plans: dict[Shape, DatePlan] = {}


def normalize_dates(value: Any, shape: Shape) -> None:
    """Rewrite every date-time the schema knows of in UTC with a `Z` (in place); a value
    that is not a date-time is a 400."""
    plan = _plans.get(shape) or _plan_all(shape)
    if value.__class__ is dict:
        for name in plan.dates:
            current = value.get(name)
            if current.__class__ is str:
                value[name] = _normalized(name, current)
        for name, child in plan.nested:
            current = value.get(name)
            if current is not None:
                normalize_dates(current, child)
    elif value.__class__ is list and plan.items is not None:
        for element in value:
            normalize_dates(element, plan.items)


def _normalized(name: str, text: str) -> str:
    if _CANONICAL.fullmatch(text):
        try:
            datetime.fromisoformat(text)
        except ValueError:
            pass  # reported below, in the same words as any other bad date-time
        else:
            return text
    try:
        return normalize_instant(text)
    except ValueError as exc:
        raise bad_request(f"{name}: {exc}", "invalidBody") from None


def _plan_all(root: Shape) -> DatePlan:
    """Plan `root` and every shape it reaches: a shape holds date-times if it has one of its
    own or reaches one through an object or array attribute or its items (a fixed point)."""
    reached = _reachable(root)
    holds = {shape: any(p.is_date_time for p in shape.properties.values()) for shape in reached}
    changed = True
    while changed:
        changed = False
        for shape in reached:
            if not holds[shape] and any(holds[c] for c in _descended(shape)):
                holds[shape] = changed = True
    for shape in reached:
        _plans[shape] = DatePlan(
            dates=tuple(n for n, p in shape.properties.items() if p.is_date_time),
            nested=tuple(
                (n, p)
                for n, p in shape.properties.items()
                if p.kind in ("object", "array") and holds[p]
            ),
            items=shape.items if shape.items is not None and holds[shape.items] else None,
        )
    return _plans[root]


def _descended(shape: Shape) -> list[Shape]:
    """The shapes the walk goes on to from `shape`."""
    children = [p for p in shape.properties.values() if p.kind in ("object", "array")]
    return children + ([shape.items] if shape.items is not None else [])


def _reachable(root: Shape) -> list[Shape]:
    seen: dict[Shape, None] = {}
    pending = [root]
    while pending:
        shape = pending.pop()
        if shape in seen:
            continue
        seen[shape] = None
        pending.extend(shape.properties.values())
        if shape.items is not None:
            pending.append(shape.items)
    return list(seen)
