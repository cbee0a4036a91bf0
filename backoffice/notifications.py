"""Avisos: the signed-in user's in-app notifications (reminders, escalations, new volantes,
FURs to review), newest first; open one (marks it read and goes to the case) or mark read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from backoffice.db import get_session
from core import notifications as notif
from core.access import can_see_case
from core.models import Case, Notification
from core.timeutil import MX_TZ

bp = Blueprint("notifications", __name__, url_prefix="/avisos")

PER_PAGE = 50


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.get("/")
@login_required
def index():
    db = get_session()
    unread_only = request.args.get("solo") == "no_leidos"
    page = _page()
    rows = notif.for_user(db, current_user.id, unread_only=unread_only, limit=PER_PAGE,
                          offset=(page - 1) * PER_PAGE)
    total = notif.count_for(db, current_user.id, unread_only=unread_only)
    case_ids = {n.case_id for n in rows if n.case_id}
    cases = {c.id: c for c in db.scalars(select(Case).where(Case.id.in_(case_ids)))} if case_ids else {}
    can_link = "cases.detail" in current_app.view_functions
    items = []
    for n in rows:
        case = cases.get(n.case_id)
        visible = case is not None and can_see_case(current_user, case)
        items.append({"n": n, "label": notif.KIND_LABELS.get(n.kind, "Aviso"),
                      "folio": case.folio if visible else None,
                      "open_url": url_for("notifications.open_one", notification_id=n.id) if visible and can_link else None})
    return render_template(
        "notifications/index.html", items=items, unread=notif.unread_count(db, current_user.id),
        unread_only=unread_only, page=page, has_next=page * PER_PAGE < total, total=total, mx_tz=MX_TZ,
    )


@bp.get("/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    db = get_session()
    n = db.get(Notification, notification_id)
    if n is None or n.user_id != current_user.id:
        abort(404)
    notif.mark_read(db, current_user.id, [n.id])
    db.commit()
    case = db.get(Case, n.case_id) if n.case_id else None
    if case is not None and can_see_case(current_user, case) and "cases.detail" in current_app.view_functions:
        return redirect(url_for("cases.detail", case_id=case.id))
    return redirect(url_for("notifications.index"))


@bp.post("/leidos")
@login_required
def mark_read():
    db = get_session()
    if request.form.get("todos"):
        count = notif.mark_read(db, current_user.id)
    else:
        ids = [v for v in request.form.getlist("ids") if v.isdigit()]
        count = notif.mark_read(db, current_user.id, ids)
    db.commit()
    if count:
        flash("Avisos marcados como leídos." if count > 1 else "Aviso marcado como leído.", "success")
    target = url_for("notifications.index", solo="no_leidos") if request.form.get("solo") else \
        url_for("notifications.index")
    return redirect(target)
