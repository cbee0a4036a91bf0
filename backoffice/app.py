"""The web application factory: back office, public buzón and the Twilio webhooks."""

from __future__ import annotations

from flask import Flask, redirect, render_template, url_for
from flask_login import current_user

from backoffice import auth, db, expired_form, observability, security
from backoffice.extensions import csrf, limiter
from core.config import Settings


def create_app(settings: Settings | None = None, **config) -> Flask:
    settings = (settings or Settings.from_env()).require_safe()
    app = Flask(__name__, instance_path=str(settings.instance_dir), instance_relative_config=False)
    app.config.update(
        SINAC=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.upload_max_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        REMEMBER_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        RATELIMIT_STORAGE_URI=settings.redis_url if settings.jobs_mode != "inline" else "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,  # Redis down must not turn webhooks into 500s
        RATELIMIT_SWALLOW_ERRORS=True,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    app.config.update(config)
    db.init_app(app)
    observability.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    expired_form.init_app(app)
    limiter.init_app(app)
    auth.init_app(app)
    _register_template_helpers(app)
    _register_blueprints(app)
    _register_errors(app)
    from backoffice import webhook_app

    webhook_app.mount(app)  # POST /webhooks/twilio on a lean app of its own (no back-office hooks)

    @app.get("/")
    def home():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        if "queue.index" in app.view_functions:
            return redirect(url_for("queue.index"))
        return render_template("home.html")

    return app


def _register_template_helpers(app: Flask) -> None:
    from backoffice.navigation import nav_items
    from core.enums import CANAL_LABELS, STATUS_LABELS, TIPO_LABELS
    from core.estados import BY_CLAVE
    from core.phones import mask_phone

    def estado_nombre(clave):
        info = BY_CLAVE.get(clave or "")
        return info.nombre if info else "Sin estado"

    app.jinja_env.globals.update(
        nav_items=nav_items, estado_nombre=estado_nombre, mask_phone=mask_phone,
        TIPO_LABELS=TIPO_LABELS, CANAL_LABELS=CANAL_LABELS, STATUS_LABELS=STATUS_LABELS,
    )


# Every area of the web app is a blueprint in a module of its own, registered in this order.
BLUEPRINT_MODULES = (
    "backoffice.health",
    "backoffice.observability",
    "backoffice.auth",
    "backoffice.public",
    "backoffice.webhooks",
    "backoffice.queue",
    "backoffice.cases",
    "backoffice.affiliate_contact",
    "backoffice.furs",
    "backoffice.attachments",
    "backoffice.conversations",
    "backoffice.simulator",
    "backoffice.intake",
    "backoffice.buzon",
    "backoffice.follow",
    "backoffice.coverage_catalog",
    "backoffice.directory",
    "backoffice.padron",
    "backoffice.admin",
    "backoffice.canned",
    "backoffice.audit_log",
    "backoffice.queues",
    "backoffice.reports",
    "backoffice.report_delivery",
    "backoffice.notifications",
)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINT_MODULES:
        app.register_blueprint(import_module(name).bp)


def _register_errors(app: Flask) -> None:
    messages = {
        400: ("Solicitud no válida", "La solicitud no se pudo procesar. Revisa los datos e inténtalo de nuevo."),
        403: ("Sin permiso", "Tu perfil no tiene acceso a esta página."),
        404: ("No encontrado", "La página o el caso que buscas no existe o no está a tu alcance."),
        405: ("Método no permitido", "Esta dirección no acepta esa operación."),
        413: ("Archivo demasiado grande", "El archivo supera el tamaño máximo permitido."),
        429: ("Demasiados intentos", "Espera un momento antes de volver a intentarlo."),
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        title, text = messages.get(code, ("Error", "Ocurrió un error inesperado."))
        return render_template("error.html", title=title, text=text, code=code), code

    for code in messages:
        app.register_error_handler(code, handler)
