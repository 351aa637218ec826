from __future__ import annotations

import pytest

from cascade.tmf.instants import normalize_instant


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("2026-01-01T10:00:00+02:00", "2026-01-01T08:00:00.000Z"),
        ("2026-01-01T08:00:00Z", "2026-01-01T08:00:00.000Z"),
        ("2026-01-01T08:00:00.123456Z", "2026-01-01T08:00:00.123Z"),
        ("2026-01-01T08:00:00", "2026-01-01T08:00:00.000Z"),
    ],
)
def test_instants_are_utc_with_z(given: str, canonical: str) -> None:
    assert normalize_instant(given) == canonical


def test_garbage_is_refused() -> None:
    with pytest.raises(ValueError):
        normalize_instant("next tuesday")
