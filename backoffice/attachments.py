"""Serving stored files: only to users who can see the case, always as a download.

Content-Disposition: attachment and nosniff keep an uploaded file from ever being rendered as
a page of this site; a sandbox CSP covers browsers that open it anyway.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from backoffice.db import get_session
from backoffice.uploads import resolve_key
from core.access import can_see_case, scope_cases, sees_everything, sees_identity
from core.models import Attachment, Case, Fur, Message

bp = Blueprint("attachments", __name__, url_prefix="/adjuntos")


def case_id_of(session, att: Attachment) -> int | None:
    if att.case_id is not None:
        return att.case_id
    if att.fur_id is not None:
        return session.scalar(select(Fur.case_id).where(Fur.id == att.fur_id))
    if att.message_id is not None:
        return session.scalar(select(Message.case_id).where(Message.id == att.message_id))
    return None


def get_attachment_or_404(attachment_id: int) -> Attachment:
    session = get_session()
    att = session.get(Attachment, attachment_id)
    if att is None:
        abort(404)
    case_id = case_id_of(session, att)
    if case_id is None:
        # not tied to a case (e.g. a message before registration): national roles only
        if not sees_everything(current_user):
            abort(404)
        return att
    case = session.scalar(scope_cases(select(Case).where(Case.id == case_id), current_user))
    if case is None or not can_see_case(current_user, case):
        abort(404)
    if att.fur_id is None and not sees_identity(current_user, case):
        abort(404)  # the person's own files on a confidential case: Vinculación only
    return att


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    att = get_attachment_or_404(attachment_id)
    if not att.storage_key:
        if att.url and att.url.startswith(("https://", "http://")):
            return redirect(att.url)
        abort(404)
    try:
        path = resolve_key(current_app.config["SINAC"], att.storage_key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    resp = send_file(path, mimetype=att.content_type or "application/octet-stream", as_attachment=True,
                     download_name=att.filename or "archivo", max_age=0, conditional=True)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
