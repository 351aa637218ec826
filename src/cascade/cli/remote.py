"""What the commands that talk to a running Cascade over HTTP share: one line per failure.

A server that cannot be reached, a URL that is not one, a refusal (401, 403), an unknown
order (404) or a server error (5xx) each end the command with one line on stderr and status
1, never a traceback (`order watch`, `order release`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from cascade.cli.options import fail

DEFAULT_URL = "http://127.0.0.1:8000"
UrlOption = Annotated[
    str, typer.Option("--url", envvar="CASCADE_URL", help="Where Cascade serves its APIs.")
]
ApiKeyOption = Annotated[
    str | None,
    typer.Option("--api-key", envvar="CASCADE_API_KEY", help="An API key, if auth is on."),
]
TIMEOUT_S = 10.0
_HINTS = {
    401: "this server needs credentials: give --api-key or set CASCADE_API_KEY",
    403: "the key lacks the scope or the party this needs",
}


def headers_for(api_key: str | None) -> dict[str, str]:
    return {"X-API-Key": api_key} if api_key else {}


@contextmanager
def reaching(url: str) -> Iterator[Any]:
    """An HTTP client for Cascade at `url`; a failure to reach it ends the command (1 line)."""
    import httpx

    try:
        with httpx.Client(timeout=TIMEOUT_S) as client:
            yield client
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise fail(f"{url!r} is not a URL Cascade can be reached at ({_said(exc)})") from None
    except httpx.ConnectError as exc:
        raise fail(
            f"cannot reach Cascade at {url}: {_said(exc)} "
            "(is `cascade serve` running there? --url or CASCADE_URL say where)"
        ) from None
    except httpx.TimeoutException:
        raise fail(f"Cascade at {url} did not answer within {TIMEOUT_S:g} s") from None
    except httpx.HTTPError as exc:
        raise fail(f"talking to Cascade at {url} failed: {_said(exc)}") from None


def refused(response: Any) -> typer.Exit:
    """A response that is not the one asked for, as one line: `raise refused(response)`."""
    status = int(response.status_code)
    line = f"{status} {response.reason_phrase}: {message_of(response)}"
    hint = _HINTS.get(status)
    if status >= 500:
        hint = "the server failed; its log says why"
    return fail(f"{line} ({hint})" if hint else line)


def message_of(response: Any) -> str:
    """The TMF Error's message, else the start of the body's first line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return _one_line(str(body["message"]))
    text = _one_line(str(response.text)) or "(no body)"
    return text if len(text) <= 200 else text[:200] + "..."


def json_of(response: Any, url: str) -> dict[str, Any]:
    """A 2xx answer's JSON object; anything else is not Cascade answering (one line)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise fail(f"{url} did not answer as Cascade does (not a JSON object): is --url right?")
    return body


def _said(exc: BaseException) -> str:
    """The exception's first line, without the `[Errno 111]` of the socket's error."""
    return re.sub(r"^\[Errno -?\d+\]\s*", "", _one_line(str(exc))) or type(exc).__name__


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else ""
