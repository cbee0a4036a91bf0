"""Public pages without login: the aviso de privacidad the bot links to, and the favicon."""

from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("public", __name__)


@bp.get("/aviso-de-privacidad")
def privacy_notice():
    return render_template("public/aviso_privacidad.html")


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)
