"""The simulated network's gate, from a test's side (src/cascade/fulfilment/activation/gate.py).

A test that needs an order "still running" closes the gate of a specification before the
order reaches it, acts, asserts, then opens it: no latency window a loaded machine could miss
(docs/testing.md). The same directory works for the controllers in the test's process
(`Settings.simulator_gate`) and in server processes (`CASCADE_SIMULATOR_GATE`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

EVERY = "*"


@dataclass(frozen=True)
class Gate:
    directory: Path

    @property
    def setting(self) -> str:
        """The value of `simulator_gate` / `CASCADE_SIMULATOR_GATE`."""
        return str(self.directory)

    def close(self, *specifications: str) -> None:
        """Hold these specifications' activations (every one's, given none)."""
        for name in specifications or (EVERY,):
            (self.directory / name).touch()

    def open(self, *specifications: str) -> None:
        """Let these specifications' activations complete (every one's, given none)."""
        names = specifications or tuple(path.name for path in self.directory.iterdir())
        for name in names:
            (self.directory / name).unlink(missing_ok=True)

    @contextmanager
    def closed(self, *specifications: str) -> Iterator[None]:
        """Closed for the block, open again after it (also when the block fails)."""
        self.close(*specifications)
        try:
            yield
        finally:
            self.open(*specifications)


def new_gate(directory: Path) -> Gate:
    directory.mkdir(parents=True, exist_ok=True)
    return Gate(directory)
