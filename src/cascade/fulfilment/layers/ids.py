"""Identities of what controllers create, derived from the parent order item.

A child's id is a UUID computed from its parent's identity, so a step that runs twice (after a
crash, or in two workers) finds what it created the first time instead of creating it again.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1c0f7e-3a52-4a8e-9a57-6b6f3c1d2e10")


def child_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))
