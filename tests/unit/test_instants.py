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


def test_early_years_keep_four_digits_and_out_of_range_is_refused() -> None:
    # Both found by the schemathesis run (tests/security/test_fuzz.py).
    assert normalize_instant("0293-02-14T17:12:09Z") == "0293-02-14T17:12:09.000Z"
    with pytest.raises(ValueError, match="out of the supported range"):
        normalize_instant("0001-01-01T00:00:00+05:00")
