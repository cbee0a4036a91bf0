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


def test_client_address_from_trusted_proxy_only():
    from backoffice.security import TrustedProxyMiddleware

    seen = {}

    def app(environ, start_response):
        seen["addr"] = environ["REMOTE_ADDR"]
        start_response("200 OK", [])
        return [b""]

    wrapped = TrustedProxyMiddleware(app, 1, ["10.0.0.5"])
    wrapped({"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7"}, lambda *a: None)
    assert seen["addr"] == "203.0.113.7"
    wrapped({"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, lambda *a: None)
    assert seen["addr"] == "198.51.100.9"  # an untrusted peer cannot claim another address


def test_public_privacy_notice_and_favicon(client):
    page = client.get("/aviso-de-privacidad")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Aviso de privacidad" in text and "BAJA" in text and "ALTA" in text
    assert client.get("/favicon.ico").status_code == 200
