"""The back office through Flask's test client: CSRF tokens, logging in, posting a form."""

from __future__ import annotations

import re

from tests.builders import PASSWORD

# Flask-WTF's hidden field, whatever the order of its attributes.
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The page's CSRF token ("" when the app runs with CSRF disabled)."""
    match = CSRF_RE.search(html)
    return match.group(1) if match else ""


def csrf(client, path: str) -> str:
    """The CSRF token of the page at `path` (it must have one)."""
    token = csrf_from(client.get(path).get_data(as_text=True))
    assert token, f"no CSRF token on {path}"
    return token


def login(client, user, password: str = PASSWORD):
    """Log `user` in through the login form (with its CSRF token, none when the app runs without
    CSRF); asserts the redirect of a successful login."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


def post(client, url: str, data: dict | None = None, *, page: str | None = None, **kw):
    """POST with a CSRF token taken from `page` (or the queue)."""
    html = client.get(page or "/volantes/").get_data(as_text=True)
    payload = dict(data or {})
    payload["csrf_token"] = csrf_from(html)
    return client.post(url, data=payload, **kw)


def text(resp) -> str:
    return resp.get_data(as_text=True)
