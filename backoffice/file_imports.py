"""The upload page of a file importer — the call center's daily file (backoffice/intake.py) and
the padrón extract (backoffice/padron.py) — written once: an expired form is said so, the file is
read no further than the upload limit, and the importer's answers become the page's: a file that
cannot be read is answered on its field (422), an import refused as a whole with its reason
(409), a database that refused it (500). In every refusal the session is rolled back: nothing
is half-stored."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, flash, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from backoffice.db import get_session
from backoffice.uploads import read_bounded
from core.callcenter.reading import FileRejected
from core.errors import DomainError

log = logging.getLogger(__name__)

NOTHING_IMPORTED = "No se importó ninguna fila: la base de datos rechazó la importación. Vuelve a intentarlo."


def import_upload(form, template: str, context: dict, run: Callable[[Session, str, bytes], object]):
    """(report, None) when `run(session, filename, data)` imported (it commits), else (None, the
    response to return). `form.archivo` is the file field; `template` the upload page."""
    if not form.validate_on_submit():
        return None, (render_template(template, **context), 422 if request.method == "POST" else 200)
    filename, data = read_bounded(form.archivo.data, current_app.config["SINAC"])
    session = get_session()
    try:
        return run(session, filename, data), None
    except FileRejected as exc:
        session.rollback()
        form.archivo.errors = [exc.message]
        return None, (render_template(template, **context), 422)
    except DomainError as exc:  # refused as a whole (the call center's ImportFailed)
        session.rollback()
        flash(exc.message, "error")
        return None, (render_template(template, **context), 409)
    except SQLAlchemyError:
        session.rollback()
        log.exception("file import failed", extra={"page": template})
        flash(NOTHING_IMPORTED, "error")
        return None, (render_template(template, **context), 500)
