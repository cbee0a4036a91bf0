"""Security headers on every response (CSP without inline scripts, no framing, HSTS on HTTPS) and
forwarded headers believed only from the configured proxies."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

CSP = "; ".join([  # noqa: FLY002 - one directive a line
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "media-src 'self' https:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def init_app(app: Flask) -> None:
    app.wsgi_app = behind_proxies(app.wsgi_app, app.config["SINAC"])
    add_headers(app)


def behind_proxies(wsgi_app, settings) -> TrustedProxyMiddleware:
    """`wsgi_app` believing forwarded headers only from the configured proxies."""
    return TrustedProxyMiddleware(wsgi_app, settings.trusted_proxy_count, trusted_proxies(settings.forwarded_allow_ips))


def add_headers(app: Flask) -> None:
    """The security headers on every response of `app` (also the lean webhook app's)."""
    https = app.config["SINAC"].public_base_url.startswith("https://")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if https or request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint not in ("static",) and response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")
# Set in the WSGI environ when a trusted proxy's X-Forwarded-Proto/-Host were applied: the Twilio
# webhook then also checks the signature against the URL the proxy was called with.
FORWARDED_URL = "sinac.forwarded_url"


class TrustedProxyMiddleware:
    """Forwarded headers only from configured proxies. With TRUSTED_PROXY_COUNT = N > 0 and a peer
    among FORWARDED_ALLOW_IPS, werkzeug's ProxyFix takes the client address, scheme, host and port
    from the last N values of X-Forwarded-* (the ones our proxies appended; earlier values are
    client-supplied). Otherwise, and always with N = 0, those headers are removed before the app
    sees them: per-IP rate limits, the lock-out and the webhook's signature URL use the real
    peer, and no client can claim another address, scheme or host."""

    def __init__(self, wsgi_app, count: int, trusted: Sequence[str] = ("127.0.0.1",)):
        self.wsgi_app = wsgi_app
        self.count = max(int(count), 0)
        self.any_peer, self.networks = _networks(trusted)
        self.fixed = ProxyFix(wsgi_app, x_for=self.count, x_proto=self.count, x_host=self.count,
                              x_port=self.count, x_prefix=0) if self.count else None

    def _peer_trusted(self, peer: str) -> bool:
        if self.any_peer:
            return True
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in net for net in self.networks)

    def __call__(self, environ, start_response):
        if self.fixed is not None and self._peer_trusted(environ.get("REMOTE_ADDR", "")):
            if environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("HTTP_X_FORWARDED_HOST"):
                environ[FORWARDED_URL] = True
            return self.fixed(environ, start_response)
        for key in FORWARDED_HEADERS:
            environ.pop(key, None)
        return self.wsgi_app(environ, start_response)


def trusted_proxies(value: str | None = None) -> list[str]:
    """FORWARDED_ALLOW_IPS (the list gunicorn reads too): addresses or CIDR networks, or "*"."""
    if value is None:
        import os

        value = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    return [part.strip() for part in value.split(",") if part.strip()]


def _networks(items: Sequence[str]) -> tuple[bool, list]:
    networks = []
    for item in items:
        if item == "*":
            return True, []
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.warning("FORWARDED_ALLOW_IPS: %r is not an address or network; ignored", item)
    return False, networks
