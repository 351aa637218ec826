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
from cascade.events.callbacks import CallbackPolicy
from cascade.events.query import Publisher, parse_subscription_query
from cascade.events.signing import MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, new_secret
from cascade.tmf.errors import bad_request
from cascade.tmf.service import ResourceService, Written

SECRET = "secret"


class HubSubscriptions:
    """The create path of one API's `/hub`."""

    def __init__(
        self, service: ResourceService, publishers: Sequence[Publisher], policy: CallbackPolicy
    ) -> None:
        self.service = service
        self.publishers = publishers
        self.policy = policy

    def install(self) -> None:
        self.service.hooks.before_create.append(self.check)
        self.service.creator = self.create
        kind = self.service.kind
        self.service.hooks.on_delete.append(
            lambda connection, id_: store.drop_subscription(connection, kind, id_)
        )

    def check(self, body: dict[str, Any]) -> None:
        """What a subscription must be before anything is written (400 otherwise)."""
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

    def create(self, connection: Connection, body: dict[str, Any]) -> Written:
        given = body.get(SECRET)
        secret = given if isinstance(given, str) else new_secret()
        kept = {name: value for name, value in body.items() if name != SECRET}
        written = self.service.insert(connection, kept)
        subscription = (written.location or "").rsplit("/", 1)[-1]
        store.save_secret(connection, self.service.kind, subscription, secret)
        if given is not None:
            return written
        answer = msgspec.json.decode(written.body)
        answer[SECRET] = secret  # shown once: the client needs it to check signatures
        return Written(msgspec.json.encode(answer), written.version, 201, written.location)
