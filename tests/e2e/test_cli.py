"""The command line: help on every command, migrations, catalog loading, serving the demo."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cascade.catalogs import demo_catalog
from cascade.cli import app
from cascade.storage.migrate import alembic_config
from tests.conftest import fresh_database_url
from tests.e2e.fulfilment import running_worker
from tests.e2e.server import free_port, running_server
from tests.waiting import HTTP_TIMEOUT_S, PATIENCE_S, until

runner = CliRunner()


@pytest.mark.parametrize(
    "command",
    [[], ["serve"], ["db"], ["db", "upgrade"], ["db", "current"], ["catalog"], ["catalog", "load"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_db_upgrade_then_catalog_load(tmp_path: Path, database_url: str) -> None:
    url = fresh_database_url("sqlite", tmp_path) if "sqlite" in database_url else database_url
    upgraded = runner.invoke(app, ["db", "upgrade", "--database", url])
    assert upgraded.exit_code == 0, upgraded.output
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    assert head in runner.invoke(app, ["db", "current", "--database", url]).output
    loaded = runner.invoke(app, ["catalog", "load", "--database", url])
    assert loaded.exit_code == 0, loaded.output
    assert "tmf620.productOffering: 6" in loaded.output  # with the Broadband + IPTV bundle


def test_bad_catalog_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    runner.invoke(app, ["db", "upgrade", "--database", url])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tmf620": {"productOffering": [{"id": "x", "name": 5}]}}))
    result = runner.invoke(app, ["catalog", "load", str(bad), "--database", url])
    assert result.exit_code == 1
    assert "productOffering 'x'" in result.output


def test_a_yaml_catalog_file_loads_like_json(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    runner.invoke(app, ["db", "upgrade", "--database", url])
    resource_specs = demo_catalog()["tmf634"]["resourceSpecification"]
    file = tmp_path / "resources.yaml"
    file.write_text(yaml.safe_dump({"tmf634": {"resourceSpecification": resource_specs}}))
    result = runner.invoke(app, ["catalog", "load", str(file), "--database", url])
    assert result.exit_code == 0, result.output
    assert f"tmf634.resourceSpecification: {len(resource_specs)}" in result.output
    broken = tmp_path / "broken.yml"
    broken.write_text("tmf634: [unclosed")
    refused = runner.invoke(app, ["catalog", "load", str(broken), "--database", url])
    assert refused.exit_code == 1
    assert "not valid YAML" in refused.output


def test_environment_variables_configure_serve(tmp_path: Path) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    env_run = subprocess.run(
        [sys.executable, "-m", "cascade.cli", "db", "current"],
        env={"CASCADE_DATABASE": url, "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert env_run.stdout.strip() == "empty"
    log = tmp_path / "server.log"
    with running_server(url, port, "--demo", log=log):
        base = f"http://127.0.0.1:{port}/tmf-api/productCatalogManagement/v4"
        offering = httpx.get(
            f"{base}/productOffering/po-fibre-broadband", timeout=HTTP_TIMEOUT_S
        ).json()
        assert offering["name"]
        assert (
            offering["href"]
            == f"http://127.0.0.1:{port}/tmf-api/productCatalogManagement/v4/productOffering/po-fibre-broadband"
        )
        names = httpx.get(
            f"{base}/productOffering", params={"fields": "name"}, timeout=HTTP_TIMEOUT_S
        ).json()
        assert len(names) == 6  # with the Broadband + IPTV bundle
    # Logs are JSON lines from the first: the migrations' lines at start-up too.
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    migrations = [r for r in records if r["logger"].startswith("alembic")]
    assert any(r["message"].startswith("Running upgrade") for r in migrations), records


def test_a_worker_writes_json_lines_with_secrets_masked(tmp_path: Path, database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":  # trust authentication: the password is unused
        url = url.set(password="s3cret-word")
    log = tmp_path / "worker.log"
    with running_worker(url.render_as_string(hide_password=False), {}, log) as process:
        until(lambda: "running controllers" in log.read_text(), "the worker running")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=PATIENCE_S) == 0, log.read_text()[-2000:]
    text = log.read_text()
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    said = [r["message"] for r in records if r["logger"] == "cascade.worker"]
    assert "running controllers on" in said[0] and "stopped after 0 steps" in said[-1], said
    assert "s3cret-word" not in text


def error_lines(stderr: str) -> list[str]:
    """What the command printed, once log records are set aside (an app built by an earlier
    test leaves Litestar's root log handler writing to a stream that CliRunner has closed).
    An exception escaping the command would show as its traceback's last line."""
    lines = stderr.strip().splitlines()
    assert not any(line.startswith(("sqlalchemy.", "OperationalError")) for line in lines), stderr
    return [line for line in lines if line.startswith("error:")]


DATABASE_COMMANDS = [
    ["catalog", "load"],
    ["worker"],
    ["serve", "--no-migrate"],
    ["apikey", "list"],
    ["audit", "list"],
    ["events", "parked"],
    ["events", "redeliver"],
    ["component", "status"],
]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_an_unmigrated_database_is_one_line_naming_the_fix(
    tmp_path: Path, command: list[str]
) -> None:
    url = fresh_database_url("sqlite", tmp_path)
    result = runner.invoke(app, [*command, "--database", url])
    assert result.exit_code == 1, result.output
    assert error_lines(result.stderr) == [
        f"error: the database at {url} is empty, this Cascade needs "
        f"{ScriptDirectory.from_config(alembic_config(url)).get_current_head()}: "
        f"run `cascade db upgrade --database {url}` first"
    ]


@pytest.mark.parametrize("command", [*DATABASE_COMMANDS, ["db", "upgrade"], ["db", "current"]])
def test_a_database_that_does_not_answer_is_one_line_without_its_password(
    command: list[str],
) -> None:
    url = f"postgresql+psycopg://cascade:s3cret@127.0.0.1:{free_port()}/cascade"
    result = runner.invoke(app, [*command, "--database", url])
    assert result.exit_code == 1, result.output
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "error: cannot open the database at postgresql+psycopg://cascade:***@"
    )
    assert "s3cret" not in result.output + result.stderr
