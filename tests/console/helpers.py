"""What the console's tests share: posting a form as a browser does, and reading pages."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

Client = TestClient[Any]
_CSRF = re.compile(r'name="csrf" content="([^"]+)"')


def csrf_of(client: Client, page: str = "/console/") -> str:
    """The CSRF token a page hands out (and its cookie, kept by the client)."""
    response = client.get(page)
    found = _CSRF.search(response.text)
    assert found is not None, response.text[:500]
    return found.group(1)


def post_form(client: Client, path: str, page: str, **fields: str) -> Any:
    """Posts a form from `page` with its CSRF token; answers the redirect's target page."""
    token = csrf_of(client, page)
    response = client.post(path, data={"csrf": token, **fields}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])
