"""Reading what an order may wait for: manual step declarations and requested start dates."""

from __future__ import annotations

from typing import Any

import pytest

from cascade.domain.waits import ManualStep, start_at_ms, steps_of


def test_steps_are_read_with_manual_step_as_the_default_kind() -> None:
    spec = {
        "id": "ps-1",
        "cascadeManualSteps": [
            {"name": " site survey "},
            {"name": "installer visit", "kind": "appointment"},
        ],
    }
    assert steps_of(spec) == [
        ManualStep("site survey", "manualStep"),
        ManualStep("installer visit", "appointment"),
    ]
    assert steps_of({"id": "ps-2"}) == []


@pytest.mark.parametrize(
    "declared",
    [
        "site survey",
        [{"kind": "manualStep"}],
        [{"name": ""}],
        [{"name": "x", "kind": "visit"}],
        [3],
    ],
)
def test_a_declaration_that_cannot_be_read_is_an_error_naming_the_specification(
    declared: Any,
) -> None:
    spec = {"id": "ps-9", "@type": "ProductSpecification", "cascadeManualSteps": declared}
    with pytest.raises(ValueError, match="ProductSpecification 'ps-9': cascadeManualSteps"):
        steps_of(spec)


def test_an_appointment_is_met_by_an_item_that_names_one() -> None:
    step = ManualStep("installer visit", "appointment")
    assert step.met_by({"appointment": {"id": "a-1"}})
    assert not step.met_by({})
    assert not ManualStep("site survey").met_by({"appointment": {"id": "a-1"}})


def test_start_dates_are_instants_in_ms() -> None:
    assert start_at_ms({"requestedStartDate": "1970-01-01T00:00:01.500Z"}) == 1500
    assert start_at_ms({"requestedStartDate": "1970-01-01T01:00:01+01:00"}) == 1000
    assert start_at_ms({"requestedStartDate": "1970-01-01T00:00:02"}) == 2000  # naive: UTC
    assert start_at_ms({}) is None
    assert start_at_ms({"requestedStartDate": "soon"}) is None
