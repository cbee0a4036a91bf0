"""The simplest baseline: a bare Flask endpoint that answers 200, served like the real app."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks/twilio")
    def webhook():
        return '<?xml version="1.0" encoding="UTF-8"?><Response />', 200, {"Content-Type": "text/xml"}

    @app.get("/healthz")
    def healthz():  # bench.common.wait_healthy polls it (a 404 would never count as ready)
        return "ok", 200

    return app
