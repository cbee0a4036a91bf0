"""Login, logout, roles: Flask-Login over core.users (argon2, lock-out)."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from backoffice.db import get_session
from backoffice.extensions import limiter, login_manager
from core import audit
from core.actors import Actor
from core.models import User
from core.users import pair_locked_until, verify_login

bp = Blueprint("auth", __name__)


class LoginUser(UserMixin):
    """The logged-in staff member; wraps the row so templates read plain attributes."""

    def __init__(self, user: User):
        self.user = user
        self.id = user.id
        self.role = user.role
        self.estado_clave = user.estado_clave
        self.email = user.email
        self.nombre = user.nombre

    def get_id(self) -> str:
        return str(self.id)

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.email, self.role, self.estado_clave)


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        user = get_session().get(User, int(user_id))
    except ValueError:
        return None
    if user is None or not user.active:
        return None
    if session.get("sv") != user.session_version:
        return None  # a cookie from before a logout (or a copy of it)
    last_seen = session.get("seen")
    now_ts = int(time.time())
    idle = current_app.config["SINAC"].backoffice_idle_minutes * 60
    if last_seen is not None and now_ts - int(last_seen) > idle:
        return None
    if last_seen is None or now_ts - int(last_seen) > 60:
        session["seen"] = now_ts  # refreshed at most once a minute
    return LoginUser(user)


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Inicia sesión para continuar."
    login_manager.session_protection = "strong"


def roles_required(*roles: str):
    """Login required, and the user's role among `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_actor() -> Actor:
    return current_user.actor


class LoginForm(FlaskForm):
    email = EmailField("Correo electrónico", validators=[DataRequired("Escribe tu correo.")])
    password = PasswordField("Contraseña", validators=[DataRequired("Escribe tu contraseña.")])


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home"))
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        ip = request.remote_addr  # the client's, from trusted proxies only (backoffice/security.py)
        user = verify_login(db, form.email.data, form.password.data, ip=ip)
        if user is None:
            typed = (form.email.data or "").strip().lower()[:200]  # the label the audit screen searches
            audit.record(db, Actor(None, typed, None), "login_fallido", data={"ip": ip})
            db.commit()
            if pair_locked_until(db, form.email.data, ip) is not None:
                flash("Demasiados intentos fallidos con este correo desde tu conexión: espera 15 minutos e "
                      "inténtalo de nuevo.", "error")
            else:
                flash("Correo o contraseña incorrectos.", "error")
            return render_template("auth/login.html", form=form), 401
        audit.record(db, Actor.from_user(user), "login")
        db.commit()
        session.clear()  # no session fixation: a fresh session after authenticating
        session["sv"] = user.session_version
        session["seen"] = int(time.time())
        login_user(LoginUser(user))
        return redirect(_safe_next(request.args.get("next")) or url_for("home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    db = get_session()
    user = db.get(User, current_user.id)
    if user is not None:
        user.session_version = (user.session_version or 0) + 1
        audit.record(db, Actor.from_user(user), "logout")
        db.commit()
    logout_user()
    session.clear()
    flash("Sesión cerrada.", "info")
    return redirect(url_for("auth.login"))
