"""HTTP-level fixtures: a client on the application, and the official schemas to check against."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import Cascade
from tests.api.official_schemas import OfficialSchemas


@pytest.fixture
def client(cascade: Cascade) -> Iterator[TestClient[Any]]:
    with TestClient(cascade.app, base_url="http://testserver.local") as client:
        yield client


@pytest.fixture(scope="session")
def official() -> OfficialSchemas:
    return OfficialSchemas()
