"""Builds event delivery from the services and settings (used by the composition root)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.events.callbacks import CallbackPolicy
from cascade.events.dispatch import Dispatcher
from cascade.events.hub import HubSubscriptions
from cascade.events.query import Publisher
from cascade.events.sender import DeliverySettings, EventSender
from cascade.security.access import rule_for
from cascade.security.parties import PartyRule
from cascade.settings import Settings
from cascade.storage.database import Database
from cascade.tmf.declarations import HUB
from cascade.tmf.service import ResourceService


def publishers_by_api(services: Mapping[str, ResourceService]) -> dict[str, list[Publisher]]:
    """The resources of each API that publish events."""
    found: dict[str, list[Publisher]] = {}
    for service in services.values():
        if service.events is not None:
            publisher = Publisher(
                service.kind, service.events.types.payload_key, service.shape, service.events.types
            )
            found.setdefault(service.api.code, []).append(publisher)
    return found


def party_audience(services: Mapping[str, ResourceService]) -> Any:
    """Whether a party may see an entity: the same rules as for its API calls."""
    rules: dict[str, PartyRule] = {
        kind: rule_for(service, services) for kind, service in services.items()
    }

    def sees(connection: Connection, kind: str, document: dict[str, Any], party: str) -> bool:
        rule = rules.get(kind)
        return rule is not None and rule.sees(connection, document, party)

    return sees


def build_events(
    services: Mapping[str, ResourceService], database: Database, settings: Settings
) -> EventSender:
    """Install the hub create path on every API and return the delivery loop."""
    publishers = publishers_by_api(services)
    policy = CallbackPolicy.from_setting(
        settings.hub_allowed_hosts, server_on_loopback=settings.on_loopback
    )
    for service in services.values():
        if service.resource.name == HUB:
            HubSubscriptions(service, publishers.get(service.api.code, []), policy).install()
    sender = EventSender(
        database,
        Dispatcher(publishers, party_audience(services)),
        DeliverySettings(
            timeout_s=settings.events_timeout_s,
            backoff_ms=settings.events_backoff_ms,
            backoff_max_ms=settings.events_backoff_max_ms,
            park_after_s=settings.events_park_after_s,
            poll_interval_s=settings.events_poll_interval_s,
        ),
        policy=policy,
    )
    for service in services.values():
        service.hooks.after_commit.append(sender.wake)
    return sender
