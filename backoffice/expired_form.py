"""The one answer to a form whose CSRF token expired, is missing or was forged.

Flask-WTF's CSRFProtect checks every POST before its view runs, so no view ever sees such a form:
this handler, registered once in the app factory, is the only place that answers it — for every
back-office form, the public ones (buzón, seguimiento, login) and the importers' upload page.

Nothing is saved. The page (400) says so in words, links back to the page the form was on (the
same-origin referrer, else the form's own address when it has a page, else the start) and carries
what the person typed — text fields only: never the token, passwords or files — as a JSON block.
static/js/kept_form.js keeps it for the tab (sessionStorage) and, back on that page, puts it into
the form that posts to the same address, so it can be checked and sent again with a fresh token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

# Fields never written back into a page: the token itself and passwords (also when a form's
# prefix names them "nuevo-password").
NOT_KEPT = frozenset({"csrf_token", "password", "confirm"})
TITLE = "El formulario expiró"


def kept_fields(form) -> dict[str, list[str]]:
    """What the person typed, by field name (a name may carry several values: checkboxes)."""
    return {name: form.getlist(name) for name in form if name.rsplit("-", 1)[-1] not in NOT_KEPT}


def back_to() -> str:
    """Where the form was: the referrer on this site, else the form's address when it answers GET."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    try:
        current_app.url_map.bind(request.host).match(request.path, method="GET")
    except (NotFound, MethodNotAllowed, RequestRedirect):
        return url_for("home")
    return request.path


def expired_form(error: CSRFError):
    back = back_to()
    fields = kept_fields(request.form)
    text = ("Pasó demasiado tiempo desde que se abrió la página (o se cerró la sesión) y, por seguridad, "
            "no se guardó nada.")
    if any(value.strip() for values in fields.values() for value in values):
        text += " Al volver, lo que escribiste estará en el formulario."
    text += " Vuelve a elegir el archivo y envíalo de nuevo." if request.files else " Revisa y vuelve a enviarlo."
    kept = {"action": request.path, "back": urlsplit(back).path, "fields": fields}
    return render_template("expired_form.html", title=TITLE, text=text, back=back, kept=kept), 400


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, expired_form)
