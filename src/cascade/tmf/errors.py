"""TMF `Error` bodies and the exception that carries them."""

from __future__ import annotations

from typing import Any

REASONS: dict[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class TmfError(Exception):
    """An error answered with a TMF `Error` body.

    `code` is an application code (a short, stable, machine-readable string);
    `status` the HTTP status; `message` the human explanation; `reference` a URI that
    describes the error (`referenceError`: for a conflict, the entity it conflicts with).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        reference: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.reference = reference

    def body(self) -> dict[str, Any]:
        body = error_body(self.status, self.code, self.message)
        if self.reference is not None:
            body["referenceError"] = self.reference
        return body


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    """The TMF `Error` resource: code, reason, message, status (a string, as in the spec)."""
    return {
        "@type": "Error",
        "code": code,
        "reason": REASONS.get(status, "Error"),
        "message": message,
        "status": str(status),
    }


def bad_request(message: str, code: str = "invalidRequest") -> TmfError:
    return TmfError(400, code, message)


def not_found(what: str) -> TmfError:
    return TmfError(404, "notFound", f"{what} not found")


def unknown_reference(what: str) -> TmfError:
    """A body that names an entity that does not exist (or that the caller may not see).

    400, not 404: the resource at the request's path exists (the collection); what is wrong
    is the body, and every official v4 POST lists 400 but not 404 (docs/conformance.md).
    """
    return TmfError(400, "unknownReference", f"{what} does not exist")
