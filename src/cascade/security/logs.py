"""Structured logs: one JSON object per line, with the request id, and secrets masked.

Every record logged while a request is handled carries its id (`requestId`), the same id the
response echoes in `X-Request-ID`. Before a line is written, credentials in URLs
(`postgresql://user:secret@host`), bearer tokens and Cascade API keys are masked, so a secret
that reaches a message or an exception by mistake still does not reach the log.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id: ContextVar[str | None] = ContextVar("cascade_request_id", default=None)

_SECRETS = (
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    (re.compile(r"\bcsk_([0-9a-f]+)_[A-Za-z0-9_-]+"), r"csk_\1_***"),
    (re.compile(r"(?i)((?:password|secret|token)=)[^&\s]+"), r"\1***"),
)


def mask_secrets(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "requestId"?, "exception"?, ...extra}`."""

    EXTRA = ("method", "path", "status", "durationMs", "client", "subject")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_secrets(record.getMessage()),
        }
        current = request_id.get()
        if current is not None:
            entry["requestId"] = current
        for name in self.EXTRA:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = mask_secrets(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class MaskingFormatter(logging.Formatter):
    """The plain-text format, with the request id and secrets masked too."""

    def format(self, record: logging.LogRecord) -> str:
        text = mask_secrets(super().format(record))
        current = request_id.get()
        return text if current is None else f"{text} [request {current}]"


def use_log_format(log_format: str) -> None:
    """Make every handler of the root logger write `json` or masked `text` lines."""
    root = logging.getLogger()
    # httpx logs every outgoing request at INFO (activations, components): too much to keep;
    # the callers log what failed.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
        root.setLevel(logging.INFO)
    for handler in root.handlers:
        if log_format == "json":
            handler.setFormatter(JsonFormatter())
        else:
            handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
