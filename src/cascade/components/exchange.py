"""One HTTP exchange with the next component, as the follower and the subscription see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

TRANSIENT = frozenset({408, 425, 429})

# The answer, or why there was none (a refused connection, a timeout...).
Answer = httpx.Response | str
Send = Callable[[str, str, bytes | None, str | None], Awaitable[Answer]]


def ok(answer: Answer, *statuses: int) -> bool:
    return isinstance(answer, httpx.Response) and answer.status_code in statuses


def transient(answer: Answer) -> bool:
    """Worth trying again later: no answer, 408, 425, 429 or a 5xx."""
    if isinstance(answer, str):
        return True
    return answer.status_code in TRANSIENT or answer.status_code >= 500


def said(answer: Answer) -> str:
    """The answer in a line: its status and the TMF Error's message."""
    if isinstance(answer, str):
        return answer
    try:
        error = answer.json()
        detail = error.get("message") or error.get("reason") or answer.text
    except ValueError:
        detail = answer.text
    return f"{answer.status_code} {str(detail)[:300]}"
