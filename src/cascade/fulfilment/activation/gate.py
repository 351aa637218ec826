"""The simulated network's gate: a test holds activations until it lets them through.

A test that must act while an order is still running (hold it, cancel it, delete it) cannot
rely on a latency being long enough: a loaded machine may end the order first, and an idle one
waits for nothing. With `simulator_gate` set to a directory (`CASCADE_SIMULATOR_GATE` for
`cascade serve` and `cascade worker`), an activation or re-configuration of a specification
does not complete while the file named after that specification, or the file `*`, exists in
it: it stays pending and is looked at again every `RECHECK_MS`. Removing the file opens the
gate. A file works alike for the controllers in the test's process and in server processes
(docs/testing.md). Without the setting there is no gate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

RECHECK_MS = 50
"""How soon an activation held by a closed gate is looked at again."""

EVERY_SPECIFICATION = "*"


@dataclass(frozen=True)
class Gate:
    """Whether activations of a specification are held (a file per held specification)."""

    directory: Path | None = None

    def closed(self, specification_id: str | None) -> bool:
        if self.directory is None:
            return False
        if (self.directory / EVERY_SPECIFICATION).exists():
            return True
        name = specification_id or ""
        if not name or os.sep in name or name in (".", ".."):
            return False
        return (self.directory / name).exists()


def gate_at(directory: str | None) -> Gate:
    """The gate a setting names: a directory, or none (no gate)."""
    return Gate(Path(directory) if directory else None)
