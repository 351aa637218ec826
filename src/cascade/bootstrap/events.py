"""Builds event delivery from the declarations and settings (used by the composition root)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.events.callbacks import CallbackPolicy
from cascade.events.dispatch import Dispatcher
from cascade.events.hub import HubSubscriptions
from cascade.events.query import Publisher
from cascade.events.sender import DeliverySettings, EventSender
from cascade.repositories import Repositories
from cascade.repositories.registry import recorder_of
from cascade.security.parties import PartyRule
from cascade.settings import Settings
from cascade.storage.database import Database
from cascade.tmf.declarations import ApiSpec, Kind


def publishers_by_api(apis: Sequence[ApiSpec]) -> dict[str, list[Publisher]]:
    """The resources of each API that publish events."""
    found: dict[str, list[Publisher]] = {}
    for api in apis:
        for resource in api.resources:
            recorder = recorder_of(api, resource)
            if recorder is not None:
                shape = api.spec.shape(resource.entity)
                publisher = Publisher(
                    resource.kind.name, recorder.types.payload_key, shape, recorder.types
                )
                found.setdefault(api.code, []).append(publisher)
    return found


def party_audience(rules: Mapping[str, PartyRule]) -> Any:
    """Whether a party may see an entity: the same rules as for its API calls (by kind)."""

    def sees(connection: Connection, kind: str, document: dict[str, Any], party: str) -> bool:
        rule = rules.get(kind)
        return rule is not None and rule.sees(connection, document, party)

    return sees


def callback_policy(settings: Settings) -> CallbackPolicy:
    return CallbackPolicy.from_setting(
        settings.hub_allowed_hosts, server_on_loopback=settings.on_loopback
    )


def hub_subscriptions(
    apis: Sequence[ApiSpec],
    repositories: Repositories,
    publishers: Mapping[str, list[Publisher]],
    policy: CallbackPolicy,
) -> dict[Kind, HubSubscriptions]:
    """The create path of every API's `/hub`, by the hub's kind."""
    return {
        api.hub.kind: HubSubscriptions(
            repositories[api.hub.kind], publishers.get(api.code, []), policy
        )
        for api in apis
    }


def event_sender(
    database: Database,
    settings: Settings,
    publishers: Mapping[str, list[Publisher]],
    rules: Mapping[str, PartyRule],
    policy: CallbackPolicy,
) -> EventSender:
    """The loop that fans events out to subscriptions and delivers them."""
    return EventSender(
        database,
        Dispatcher(publishers, party_audience(rules)),
        DeliverySettings(
            timeout_s=settings.events_timeout_s,
            backoff_ms=settings.events_backoff_ms,
            backoff_max_ms=settings.events_backoff_max_ms,
            park_after_s=settings.events_park_after_s,
            poll_interval_s=settings.events_poll_interval_s,
        ),
        policy=policy,
    )
