"""Date-times on the wire: always UTC, millisecond precision, with a `Z` (sortable as text)."""

from __future__ import annotations

from datetime import UTC, datetime


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    # Not strftime: its %Y does not pad years before 1000 to four digits on every platform.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def now_instant() -> str:
    return format_instant(datetime.now(UTC))


def normalize_instant(text: str) -> str:
    """Parse an ISO 8601 date-time (offset or `Z`; naive means UTC) into the canonical form."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"'{text}' is not an ISO 8601 date-time") from exc
    try:
        return format_instant(moment)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        raise ValueError(f"'{text}' is out of the supported range") from None
