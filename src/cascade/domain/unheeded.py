"""Attributes an order may carry that Cascade would not act on although they change what is
delivered (pure): an order naming one is refused with the reason, never fulfilled without it.

Each API declares its list (apis/v4/ordering.py); docs/fulfilment.md walks every attribute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Unheeded:
    """An attribute, at `path` in the order or (with `items`) in each of its items, that
    refuses the order when it has a value (with `value`: that value); `actions` narrows it
    to items of those actions."""

    path: tuple[str, ...]
    reason: str
    items: str | None = None
    actions: tuple[str, ...] = ()
    value: Any = None

    @property
    def name(self) -> str:
        return ".".join(self.path)


def unheeded_problems(order: Mapping[str, Any], rules: Sequence[Unheeded]) -> list[str]:
    """One line per attribute an order (or an item of it) gives that a rule refuses."""
    problems = []
    for rule in rules:
        if rule.items is None:
            if _given(order, rule):
                problems.append(f"{rule.name} is not supported: {rule.reason}")
            continue
        for item in order.get(rule.items) or ():
            if not isinstance(item, Mapping):
                continue
            if rule.actions and item.get("action") not in rule.actions:
                continue
            if _given(item, rule):
                what = rule.name + (f" {rule.value!r}" if rule.value is not None else "")
                action = f" on a '{item.get('action')}' item" if rule.actions else ""
                problems.append(
                    f"item {item.get('id')}: {what}{action} is not supported: {rule.reason}"
                )
    return problems


def _given(document: Mapping[str, Any], rule: Unheeded) -> bool:
    value: Any = document
    for key in rule.path:
        if not isinstance(value, Mapping):
            return False
        value = value.get(key)
    if rule.value is not None:
        return type(value) is type(rule.value) and bool(value == rule.value)
    return value not in (None, [], {}, "")
