"""Fixtures shared by the end-to-end tests (real `cascade` processes)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database a test's servers run on (PostgreSQL only when a server is configured)."""
    if request.param == "postgresql" and not os.environ.get("CASCADE_TEST_POSTGRES_URL"):
        pytest.skip("CASCADE_TEST_POSTGRES_URL is not set")
    return str(request.param)
