"""What the composition root tells the console about this process as a component
(`cascade component status`), without the console importing the components package."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection


@dataclass(frozen=True)
class ComponentLink:
    """A hub subscription this component holds at the next one."""

    hub_url: str
    callback: str
    subscription_id: str | None


@dataclass(frozen=True)
class ComponentsReport:
    """What this process is, what it serves, and how it follows the next component."""

    component: str  # all, com, som, rom
    serves: list[str]  # the APIs served here: TMF622 Product Ordering...
    next_component: str | None = None  # som, rom
    next_url: str | None = None
    links: list[ComponentLink] = field(default_factory=list)
    phases: dict[str, int] = field(default_factory=dict)  # mirrored orders by phase
    asks_pending: int = 0  # holds and releases not carried out yet
    waiting: list[dict[str, Any]] = field(default_factory=list)  # mirrors retried or failed


ComponentsSource = Callable[[Connection], ComponentsReport]
