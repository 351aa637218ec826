"""Who is calling: the identity an authenticated request carries through Cascade."""

from __future__ import annotations

from dataclasses import dataclass

from cascade.frontend.types import Caller

ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated client.

    `subject` names it in the audit trail (`apikey:<id>` or the token's `sub`), `scopes` say what
    it may do, and `party`, when set, keeps it to the orders whose relatedParty holds that id.
    """

    subject: str
    scopes: frozenset[str]
    party: str | None = None
    method: str = "none"

    def caller(self, request_id: str | None) -> Caller:
        return Caller(self.subject, self.party, request_id)


# The identity of every request when authentication is off (loopback only): it may do anything.
ANONYMOUS = Principal("anonymous", frozenset({ADMIN}))
