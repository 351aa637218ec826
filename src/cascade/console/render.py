"""Pages from the templates: the Jinja2 environment, state colours, flash messages."""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import MediaType, Request, Response

from cascade.console.auth import csrf_token, keep, set_csrf
from cascade.tmf.errors import TmfError

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/console/static"
FLASH_COOKIE = "cascade_flash"

# One colour per meaning, the same on every page: see docs/console.md.
TONES = {
    "done": ("completed", "active", "available", "succeeded", "Active", "Launched"),
    "bad": ("failed", "rejected", "alarm", "unknown", "not recorded"),
    "wait": (
        "held",
        "pending",
        "partial",
        "assessingCancellation",
        "pendingCancellation",
        "suspended",
        "designed",
        "reserved",
        "feasibilityChecked",
    ),
    "run": ("acknowledged", "accepted", "inProgress", "InProgress", "inactive"),
    "gone": ("cancelled", "terminated", "standby"),
    "later": ("not yet recorded",),  # neutral: a running order has not written it yet
}
TONE_OF = {state: tone for tone, states in TONES.items() for state in states}

_environment = Environment(
    loader=PackageLoader("cascade.console", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["tone"] = lambda state: TONE_OF.get(str(state), "other")
_environment.filters["short"] = lambda instant: str(instant or "")[:19].replace("T", " ")


def link(kind: str, filters: dict[str, str], **changes: Any) -> str:
    """The list's address with these filters, some of them changed."""
    query = {"kind": kind, **filters, **{k: str(v) for k, v in changes.items()}}
    return "/console/?" + urlencode(query)


_environment.globals["link"] = link


def render(name: str, **context: Any) -> str:
    return _environment.get_template(name).render(**context)


def page(
    request: Request[Any, Any, Any], name: str, status: int = 200, **context: Any
) -> Response[str]:
    """A whole page: with the viewer's CSRF token, and the flash message of the last action."""
    token = csrf_token(request)
    flash = _flash_of(request)
    body = render(name, csrf=token, flash=flash, **context)
    response: Response[str] = Response(body, status_code=status, media_type=MediaType.HTML)
    set_csrf(response, request, token)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/console")
    return response


def error_page(request: Request[Any, Any, Any], error: TmfError, **context: Any) -> Response[str]:
    """A refusal as a page: the TMF Error's status, code, reason and message."""
    return page(request, "error.html", status=error.status, error=error.body(), **context)


def flash(response: Response[Any], request: Request[Any, Any, Any], tone: str, text: str) -> None:
    """A message for the next page (the outcome of an action, after its redirect)."""
    value = base64.urlsafe_b64encode(json.dumps([tone, text]).encode()).decode()
    keep(response, request, FLASH_COOKIE, value)


def _flash_of(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        tone, text = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, binascii.Error, TypeError):
        return None
    return {"tone": str(tone), "text": str(text)}
