"""What an external TMF640/TMF702 endpoint's answers mean for an activation (pure functions).

(A deactivation's or re-configuration's PATCH: see `after_patch`.)

After a POST: 201 (or 200) with the entity, done when its state is active (service) or
available (resource), failed in a failed state, otherwise followed at its href; 202 with a
Monitor (in the body, or at `Location`), followed until `Completed` or `InError`. Timeouts,
refused connections, 408, 429 and 5xx are retried a few times with back-off, then fail the
attempt (the Activator may make another); any other answer fails the activation for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from cascade.fulfilment.activation.port import Target

Phase = Literal["post", "patch", "follow", "done", "failed"]
Follows = Literal["monitor", "entity"]

DONE_STATE: dict[str, tuple[str, str]] = {
    "service": ("state", "active"),
    "resource": ("resourceStatus", "available"),
}
FAILED_STATES: dict[str, frozenset[str]] = {
    "service": frozenset({"inactive", "terminated"}),
    "resource": frozenset({"alarm"}),
}
TRANSIENT_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange as the sender saw it: a response, or `error` when there was none."""

    status: int = 0
    body: bytes = b""
    location: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Retry:
    """How many transient failures an attempt takes, and the back-off between them."""

    retries: int
    backoff_ms: int
    follow_ms: int


@dataclass(frozen=True)
class Next:
    """What to do after an exchange: the new phase and what it needs."""

    phase: Phase
    delay_ms: int = 0
    tries: int = 0
    follow_href: str | None = None
    follows: Follows | None = None
    reason: str | None = None
    retriable: bool = True
    key_spent: bool = False  # the remote end refused this attempt for good: next one, new key
    remote_href: str | None = None


def after_post(target: Target, url: str, answer: Answer, tries: int, retry: Retry) -> Next:
    what = f"POST {url}"
    if _transient(answer):
        return _transient_next("post", what, answer, tries, retry)
    document = _json(answer.body)
    if answer.status in (200, 201):
        return _entity(target, what, document, answer.location, retry)
    if answer.status == 202:
        monitor_href = _text(document.get("href")) or answer.location
        if document.get("state") is not None:
            return _monitor(what, document, monitor_href, retry)
        if monitor_href:
            return Next("follow", follow_href=monitor_href, follows="monitor")
        return Next("failed", reason=f"{what} answered 202 without a monitor", retriable=False)
    return Next("failed", reason=_refusal(what, answer, document), retriable=False)


def after_patch(operation: str, url: str, answer: Answer, tries: int, retry: Retry) -> Next:
    """After a PATCH that deactivates or re-configures a remote entity (a repeat is harmless).

    200/204: done (202: its monitor is followed); 404 for a deactivation: done, the entity is
    gone already; transient failures are retried with back-off; other answers fail for good.
    """
    what = f"PATCH {url}"
    if _transient(answer):
        return _transient_next("patch", what, answer, tries, retry)
    document = _json(answer.body)
    if answer.status in (200, 204) or (answer.status == 404 and operation == "deactivate"):
        return Next("done")
    if answer.status == 202:
        monitor_href = _text(document.get("href")) or answer.location
        if document.get("state") is not None:
            return _monitor(what, document, monitor_href, retry)
        if monitor_href:
            return Next("follow", follow_href=monitor_href, follows="monitor")
    return Next("failed", reason=_refusal(what, answer, document), retriable=False)


def after_follow(
    target: Target, href: str, follows: Follows, answer: Answer, tries: int, retry: Retry
) -> Next:
    what = f"GET {href}"
    if _transient(answer):
        return _transient_next("follow", what, answer, tries, retry, href, follows)
    document = _json(answer.body)
    if answer.status == 200:
        if follows == "monitor":
            return _monitor(what, document, href, retry)
        return _entity(target, what, document, href, retry)
    if answer.status == 404:
        return Next("failed", reason=f"{what}: the {follows} is gone", retriable=True)
    return Next("failed", reason=_refusal(what, answer, document), retriable=False)


def _entity(
    target: Target, what: str, document: Mapping[str, Any], location: str | None, retry: Retry
) -> Next:
    attribute, done = DONE_STATE[target]
    state = document.get(attribute)
    href = _text(document.get("href")) or location
    if state == done:
        return Next("done", remote_href=href)
    if state in FAILED_STATES[target]:
        reason = f"{what}: {href or 'the ' + target} is {state}{_last_note(document)}"
        return Next("failed", reason=reason, key_spent=True, remote_href=href)
    if not href:
        reason = f"{what}: a {target} in state {state!r} without an href to follow"
        return Next("failed", reason=reason, retriable=False)
    return Next("follow", delay_ms=retry.follow_ms, follow_href=href, follows="entity")


def _monitor(what: str, monitor: Mapping[str, Any], href: str | None, retry: Retry) -> Next:
    state = str(monitor.get("state") or "").lower()
    source = _text(monitor.get("sourceHref"))
    if state == "completed":
        return Next("done", remote_href=source)
    if state == "inerror":
        reason = f"{what}: monitor InError: {_monitor_error(monitor)}"
        return Next("failed", reason=reason, key_spent=True, remote_href=source)
    if not href:
        return Next("failed", reason=f"{what}: a monitor without an href", retriable=False)
    return Next("follow", delay_ms=retry.follow_ms, follow_href=href, follows="monitor")


def _transient(answer: Answer) -> bool:
    return answer.error is not None or answer.status >= 500 or answer.status in TRANSIENT_STATUSES


def _transient_next(
    phase: Literal["post", "patch", "follow"],
    what: str,
    answer: Answer,
    tries: int,
    retry: Retry,
    href: str | None = None,
    follows: Follows | None = None,
) -> Next:
    reason = (
        f"{what}: {answer.error}"
        if answer.error is not None
        else _refusal(what, answer, _json(answer.body))
    )
    if tries < retry.retries:
        delay = retry.backoff_ms * 2**tries
        return Next(phase, delay, tries + 1, follow_href=href, follows=follows, reason=reason)
    return Next("failed", reason=f"{reason} ({tries + 1} tries)", retriable=True)


def _refusal(what: str, answer: Answer, document: Mapping[str, Any]) -> str:
    detail = _error_text(document) or answer.body[:200].decode(errors="replace").strip()
    return f"{what} answered {answer.status}" + (f": {detail}" if detail else "")


def _monitor_error(monitor: Mapping[str, Any]) -> str:
    response = monitor.get("response")
    if not isinstance(response, Mapping):
        return "no reason given"
    body = response.get("body")
    if isinstance(body, Mapping):  # not the spec's string, but seen in the wild
        return _error_text(body) or str(body.get("content") or body)
    if isinstance(body, str):
        decoded = _json(body.encode())
        return _error_text(decoded) or body
    return f"status {response.get('statusCode', '?')}"


def _error_text(document: Mapping[str, Any]) -> str | None:
    """The message of a TMF `Error` body (or its reason), if it is one."""
    for key in ("message", "reason"):
        value = document.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _last_note(document: Mapping[str, Any]) -> str:
    notes = document.get("note")
    if isinstance(notes, list) and notes and isinstance(notes[-1], Mapping):
        return f" ({notes[-1].get('text')})"
    return ""


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(body) if body else {}
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
