"""The runtime: the loop that claims due work and runs each controller's step in a transaction."""

from cascade.fulfilment.runtime.loop import Runtime, RuntimeSettings
from cascade.fulfilment.runtime.steps import (
    DONE,
    Companion,
    Controller,
    RetryLater,
    StepContext,
    StepResult,
    current_work,
    working_on,
)

__all__ = [
    "DONE",
    "Companion",
    "Controller",
    "RetryLater",
    "Runtime",
    "RuntimeSettings",
    "StepContext",
    "StepResult",
    "current_work",
    "working_on",
]
