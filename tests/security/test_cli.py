"""`cascade apikey` and the refusal to serve without authentication on a public address."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cascade.cli import app
from cascade.cli.security import serve_security
from cascade.security.settings import exposure_problem, is_loopback, security_from_environment
from cascade.storage.migrate import upgrade
from tests.conftest import fresh_database_url

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = fresh_database_url("sqlite", tmp_path)
    upgrade(url)
    return url


def test_keys_are_created_shown_once_listed_and_revoked(database: str) -> None:
    created = runner.invoke(
        app,
        [
            "apikey",
            "create",
            "--name",
            "shop",
            "--scopes",
            "productOrdering:read hub:write",
            "--party",
            "acme",
            "--database",
            database,
        ],
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("csk_")
    key_id = key.split("_")[1]
    listed = runner.invoke(app, ["apikey", "list", "--database", database])
    assert key_id in listed.output and "party=acme" in listed.output and "active" in listed.output
    assert key.split("_", 2)[2] not in listed.output  # the secret is never shown again
    revoked = runner.invoke(app, ["apikey", "revoke", key_id, "--database", database])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(app, ["apikey", "list", "--database", database]).output
    again = runner.invoke(app, ["apikey", "revoke", key_id, "--database", database])
    assert again.exit_code == 1


def test_a_key_with_unknown_scopes_is_refused(database: str) -> None:
    result = runner.invoke(
        app, ["apikey", "create", "--name", "x", "--scopes", "everything", "--database", database]
    )
    assert result.exit_code == 2
    assert "unknown scopes: everything" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.com"])
def test_serve_refuses_to_run_unauthenticated_on_a_public_address(host: str, database: str) -> None:
    result = runner.invoke(app, ["serve", "--host", host, "--database", database, "--no-migrate"])
    assert result.exit_code == 2, result.output
    assert "refusing to serve on" in result.output
    assert "without authentication" in result.output


def test_serve_checks_jwt_settings_and_mode_names() -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--auth", "jwt"])
    assert result.exit_code == 2
    assert "CASCADE_JWT_JWKS" in result.output
    result = runner.invoke(app, ["serve", "--auth", "password"])
    assert result.exit_code == 2 and "--auth must be one of" in result.output


def test_authenticated_modes_may_listen_anywhere() -> None:
    assert serve_security("apikey", "0.0.0.0").auth_mode == "apikey"
    assert serve_security("none", "127.0.0.1").auth_mode == "none"
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.1.2.3", "cascade.example"))
    jwt_ready = security_from_environment(
        environ={
            "CASCADE_AUTH": "jwt",
            "CASCADE_JWT_ISSUER": "https://idp/",
            "CASCADE_JWT_AUDIENCE": "cascade",
            "CASCADE_JWT_JWKS": "https://idp/jwks",
            "CASCADE_RATE_LIMIT": "20",
        }
    )
    assert exposure_problem(jwt_ready, "0.0.0.0") is None
    assert jwt_ready.rate_for("0.0.0.0") == 20


def test_bad_security_variables_name_themselves() -> None:
    with pytest.raises(ValueError, match="CASCADE_RATE_LIMIT='fast'"):
        security_from_environment(environ={"CASCADE_RATE_LIMIT": "fast"})
