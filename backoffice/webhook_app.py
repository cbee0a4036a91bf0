"""The inbound Twilio webhook (POST /webhooks/twilio) served by a lean Flask app of its own.

The back office's app runs, before and after every request, what its pages need: Flask-Limiter's
pass over its limits (the webhook is exempt but the pass still runs), the signed session cookie (read or not),
the audit origin, CSRF. On the webhook that was ~0.4 ms of CPU of ~3 per message (in-process,
loaded machine) for nothing it uses. The lean app has only what the webhook needs: the request id
and metrics (backoffice/observability.py), the security headers (backoffice/security.py) and the
trusted-proxy handling of forwarded headers, and serves the same view (backoffice/webhooks.py).
It shares the main app's config and extensions (the same dicts), so settings, test
configuration and the per-phone limit state (backoffice/webhook_limits.py) are one.
Everything else, status callbacks included, goes to the main app.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SessionInterface

from backoffice import observability, security, webhooks

INBOUND_PATH = "/webhooks/twilio"


class InboundFirst:
    """WSGI: POST /webhooks/twilio to the lean app, everything else to the main one."""

    def __init__(self, main_wsgi, inbound_wsgi):
        self.main_wsgi = main_wsgi
        self.inbound_wsgi = inbound_wsgi

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == INBOUND_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self.inbound_wsgi(environ, start_response)
        return self.main_wsgi(environ, start_response)


class _NoSession(SessionInterface):
    """No session cookie is read or written: Twilio sends none (Flask uses a null session)."""

    def open_session(self, app, request):
        return None

    def save_session(self, app, session, response):
        return None


def mount(app: Flask) -> Flask:
    """Put the lean webhook app in front of `app` (after its own middleware); returns it."""
    lean = Flask(__name__, static_folder=None, instance_path=app.instance_path)
    lean.config = app.config
    lean.extensions = app.extensions
    lean.session_interface = _NoSession()
    observability.add_request_hooks(lean)
    security.add_headers(lean)
    lean.register_blueprint(webhooks.bp)
    app.wsgi_app = InboundFirst(app.wsgi_app, security.behind_proxies(lean.wsgi_app, app.config["SINAC"]))
    return lean
