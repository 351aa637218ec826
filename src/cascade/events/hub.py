"""Creating `/hub` subscriptions: the query checked, the callback host allowed, a secret kept.

The body is the TMF `EventSubscriptionInput` (`callback`, `query`) plus an optional Cascade
extension, `secret`: the key of the HMAC signature on every delivery. Without one, Cascade
makes one and returns it once, in the 201 answer; it is never stored in the subscription
document nor shown again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.events import store
from cascade.events.callbacks import CallbackPolicy, check_callback
from cascade.events.query import Publisher, parse_subscription_query
from cascade.events.signing import MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, new_secret
from cascade.repositories import Created, Repository, Saved
from cascade.tmf.errors import bad_request

SECRET = "secret"


class HubSubscriptions:
    """The create and delete of one API's `/hub` subscriptions (their client behaviour)."""

    def __init__(
        self, hub: Repository, publishers: Sequence[Publisher], policy: CallbackPolicy
    ) -> None:
        self.hub = hub
        self.publishers = publishers
        self.policy = policy

    def check(self, body: dict[str, Any]) -> None:
        """What a subscription must be before anything is written (400 otherwise)."""
        check_callback(body.get("callback"))
        parse_subscription_query(body.get("query"), self.publishers)
        secret = body.get(SECRET)
        if secret is not None and (
            not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH
        ):
            raise bad_request(
                f"secret must be a string of {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters",
                "invalidSecret",
            )
        self.policy.check(str(body.get("callback")))

    def create(self, connection: Connection, body: dict[str, Any]) -> Created:
        given = body.get(SECRET)
        secret = given if isinstance(given, str) else new_secret()
        kept = {name: value for name, value in body.items() if name != SECRET}
        saved = self.hub.insert(connection, kept)
        store.save_secret(connection, self.hub.kind.name, saved.id, secret)
        if given is not None:
            return Created(saved)
        answer = msgspec.json.decode(saved.text)
        answer[SECRET] = secret  # shown once: the client needs it to check signatures
        text = msgspec.json.encode(answer)
        return Created(Saved(text, saved.version, saved.href, saved.id))

    def deleted(self, connection: Connection, subscription: str) -> None:
        """A deleted subscription's undelivered events and secret go with it."""
        store.drop_subscription(connection, self.hub.kind.name, subscription)
