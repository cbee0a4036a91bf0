"""Security headers on pages and on HTTPS deployments."""

from backoffice.app import create_app
from core.config import Settings


def test_headers_on_every_page(client):
    for path in ("/login", "/healthz", "/no-existe"):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in resp.headers  # plain HTTP in tests


def test_hsts_and_secure_cookies_on_https(settings, db):
    app = create_app(Settings(**{**settings.__dict__, "public_base_url": "https://sinac.example.gob.mx"}),
                     TESTING=True)
    resp = app.test_client().get("/login")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    cookie = resp.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie
