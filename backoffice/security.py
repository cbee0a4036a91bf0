"""Security headers on every response: CSP without inline scripts, no framing, HSTS on HTTPS."""

from __future__ import annotations

from flask import Flask, request

CSP = "; ".join([
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
    https = app.config["SINAC"].public_base_url.startswith("https://")
    app.wsgi_app = TrustedProxyMiddleware(app.wsgi_app, trusted_proxies())

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


class TrustedProxyMiddleware:
    """Behind the TLS proxy every peer is the proxy: when it is one of FORWARDED_ALLOW_IPS (the
    list gunicorn trusts), take the client address it appended to X-Forwarded-For, so per-IP
    rate limits (login, buzón) count clients, not the proxy. Others cannot spoof it."""

    def __init__(self, wsgi_app, trusted: set[str]):
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and peer in self.trusted:
            client = forwarded.split(",")[-1].strip()
            if client:
                environ["sinac.proxy_addr"] = peer
                environ["REMOTE_ADDR"] = client
        return self.wsgi_app(environ, start_response)


def trusted_proxies() -> set[str]:
    import os

    return {ip.strip() for ip in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",") if ip.strip()}
