"""`cascade apikey ...` and `cascade audit ...`: keys and the audit trail, from the shell."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.options import DatabaseOption, open_database
from cascade.settings import DEFAULT_DATABASE

if TYPE_CHECKING:
    from cascade.security.settings import SecuritySettings

apikey_app = typer.Typer(help="API keys (for --auth apikey).", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail (read only).", no_args_is_help=True)


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="Who or what the key is for.")],
    scopes: Annotated[
        str,
        typer.Option("--scopes", help="Space- or comma-separated, e.g. 'productOrdering:read'."),
    ],
    party: Annotated[
        str | None,
        typer.Option("--party", help="Keep the key to orders whose relatedParty has this id."),
    ] = None,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Create a key; it is printed once and only its hash is stored."""
    from cascade.security.apikeys import create_key
    from cascade.security.scopes import parse_scopes

    db = open_database(database)
    try:
        stored, key = db.write_sync(lambda c: create_key(c, name, parse_scopes(scopes), party))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        db.close()
    bound = f", party {stored.party}" if stored.party else ""
    typer.echo(f"created key {stored.id} ({stored.name}{bound}): {' '.join(sorted(stored.scopes))}")
    typer.echo("store it now, it is not shown again:", err=True)
    typer.echo(key)


@apikey_app.command("list")
def apikey_list(database: DatabaseOption = DEFAULT_DATABASE) -> None:
    """List the keys (never their secrets)."""
    from cascade.security.apikeys import list_keys

    db = open_database(database)
    try:
        keys = db.read_sync(list_keys)
    finally:
        db.close()
    for key in keys:
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        party = key.party or "-"
        scopes = " ".join(sorted(key.scopes))
        typer.echo(
            f"{key.id}  {key.name}  party={party}  {state}  created {key.created_at}  {scopes}"
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (as `list` shows it).")],
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Revoke a key for good (running servers stop accepting it within seconds)."""
    from cascade.security.apikeys import revoke_key

    db = open_database(database)
    try:
        revoked = db.write_sync(lambda c: revoke_key(c, key_id))
    finally:
        db.close()
    if not revoked:
        typer.echo(f"error: no active key '{key_id}'", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked key {key_id}")


@audit_app.command("list")
def audit_list(
    entity: Annotated[str | None, typer.Option("--entity", help="An entity id.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. tmf622.productOrder")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Who (apikey:<id>, sub).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this instant.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
    database: DatabaseOption = DEFAULT_DATABASE,
) -> None:
    """Print audit entries, newest first, one JSON object a line."""
    from cascade.security.audit import parse_audit_query, read_entries
    from cascade.tmf.errors import TmfError

    params = [("limit", str(limit))]
    for name, value in (("entityId", entity), ("kind", kind), ("actor", actor), ("since", since)):
        if value is not None:
            params.append((name, value))
    try:
        query = parse_audit_query(params)
    except TmfError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    db = open_database(database)
    try:
        entries, _ = db.read_sync(lambda c: read_entries(c, query))
    finally:
        db.close()
    for entry in entries:
        typer.echo(json.dumps(entry))


AuthOption = Annotated[
    str,
    typer.Option(
        "--auth",
        envvar="CASCADE_AUTH",
        help="Authentication: none (loopback addresses only), apikey or jwt (docs/security.md).",
    ),
]


def process_security() -> SecuritySettings:
    """The security settings from the environment, with JSON logs unless
    CASCADE_LOG_FORMAT=text; exits (2) saying why when a variable is not valid."""
    from cascade.security.settings import SecuritySettings, security_from_environment

    try:
        return security_from_environment(SecuritySettings(log_format="json"))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def serve_security(auth: str, host: str):  # type: ignore[no-untyped-def]
    """The security settings `cascade serve` runs with; exits (2) saying why when refused."""
    from dataclasses import replace

    from cascade.security.settings import AUTH_MODES, exposure_problem

    if auth not in AUTH_MODES:
        typer.echo(f"error: --auth must be one of {', '.join(AUTH_MODES)}, not '{auth}'", err=True)
        raise typer.Exit(2)
    settings = replace(process_security(), auth_mode=auth)  # type: ignore[arg-type]
    problem = exposure_problem(settings, host)
    if problem is not None:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    return settings
