"""A client on the shared Cascade (authentication off, as on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from tests.security.conftest import signer  # noqa: F401  (the JWT tests' keys)


@pytest.fixture
def client(cascade: Cascade) -> Iterator[TestClient[Any]]:
    with TestClient(cascade.app, base_url="http://testserver.local") as client:
        yield client
