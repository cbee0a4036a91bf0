"""The web application factory: back office, public buzón and the Twilio webhooks."""

from __future__ import annotations

from flask import Flask

from backoffice import db
from core.config import Settings


def create_app(settings: Settings | None = None, **config) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=False)
    app.config.update(
        SINAC=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.upload_max_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        JSON_AS_ASCII=False,
    )
    app.config.update(config)
    db.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Each area of the back office is a blueprint in its own module."""
    from backoffice.health import bp as health_bp

    app.register_blueprint(health_bp)
