"""The simplest baseline: a bare Flask endpoint that answers 200, served like the real app."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/webhooks/twilio")
    def webhook():
        return '<?xml version="1.0" encoding="UTF-8"?><Response />', 200, {"Content-Type": "text/xml"}

    return app
