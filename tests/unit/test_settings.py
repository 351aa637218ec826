"""Fulfilment settings from `CASCADE_*` environment variables (for `serve` and `worker`)."""

from __future__ import annotations

import pytest

from cascade.settings import Settings, with_environment


def test_variables_set_the_fulfilment_settings_and_nothing_else() -> None:
    given = Settings(database_url="sqlite:///x.db", port=9000)
    settings = with_environment(
        given,
        {
            "CASCADE_LEASE_MS": "1500",
            "CASCADE_POLL_INTERVAL_S": "0.05",
            "CASCADE_SIMULATOR_SPECIFICATIONS": '{"rs-vlan": {"latency_ms": 100}}',
            "CASCADE_PORT": "1234",  # a command-line option's variable: not read here
        },
    )
    assert settings.lease_ms == 1500
    assert settings.poll_interval_s == 0.05
    assert settings.simulator_specifications == '{"rs-vlan": {"latency_ms": 100}}'
    assert (settings.database_url, settings.port) == ("sqlite:///x.db", 9000)
    assert with_environment(given, {}) == given


def test_a_bad_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="CASCADE_LEASE_MS='soon' is not a valid lease_ms"):
        with_environment(Settings(), {"CASCADE_LEASE_MS": "soon"})
