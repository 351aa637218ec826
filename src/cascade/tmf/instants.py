"""Date-times on the wire: always UTC, millisecond precision, with a `Z` (sortable as text)."""

from __future__ import annotations

from datetime import UTC, datetime


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def now_instant() -> str:
    return format_instant(datetime.now(UTC))


def normalize_instant(text: str) -> str:
    """Parse an ISO 8601 date-time (offset or `Z`; naive means UTC) into the canonical form."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"'{text}' is not an ISO 8601 date-time") from exc
    return format_instant(moment)
