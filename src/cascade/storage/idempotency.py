"""Stored first responses of POSTs made with an `Idempotency-Key`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from cascade.storage.tables import idempotency_key


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status: int
    location: str | None
    body: str


def find_response(connection: Connection, scope: str, key: str) -> StoredResponse | None:
    row = connection.execute(
        select(
            idempotency_key.c.request_hash,
            idempotency_key.c.status,
            idempotency_key.c.location,
            idempotency_key.c.body,
        ).where(idempotency_key.c.scope == scope, idempotency_key.c.key == key)
    ).first()
    return None if row is None else StoredResponse(*row)


def save_response(
    connection: Connection, scope: str, key: str, response: StoredResponse, now: str
) -> None:
    connection.execute(
        insert(idempotency_key).values(
            scope=scope,
            key=key,
            request_hash=response.request_hash,
            status=response.status,
            location=response.location,
            body=response.body,
            created_at=now,
        )
    )
