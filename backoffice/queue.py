"""The queue of volantes: one row per case's current volante, scoped, filtered, paginated in SQL.

The page (index) counts and lists with the parts beside it: the filters (queue_filters.py), the
statement (queue_query.py) and what a row shows (queue_rows.py).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from backoffice.db import get_session
from backoffice.queue_filters import (
    PLAZO_LABELS,
    SORTS,
    STATUS_CHOICES,
    TODOS,
    Filters,
    count_statuses,
    parse_filters,
    row_statuses,
)
from backoffice.queue_query import base_query, current_volante_clause, figure_banner, ordered
from backoffice.queue_rows import (
    SOON_DAYS,
    enlace_filter_shown,
    plazo_badge,
    sent_back_rounds,
    visible_enlaces,
)
from core.access import sees_everything, sees_identity
from core.enums import STATUS_LABELS
from core.estados import BY_CLAVE
from core.models import Case, Contact, User, Volante
from core.plazos import calendar
from core.search import interpret
from core.timeutil import MX_TZ, today_mx

bp = Blueprint("queue", __name__, url_prefix="/volantes")

PER_PAGE = 50
COUNT_CAP = 2000
ROW_CASE_COLUMNS = (Case.id, Case.folio, Case.tipo, Case.canal, Case.estado_clave, Case.status, Case.created_at,
                    Case.contacto_telefono, Case.contact_id, Case.current_volante_id, Case.description, Case.monto,
                    Case.ronda, Case.confidencial)
SNIPPET_CHARS = 140
ROW_VOLANTE_COLUMNS = (Volante.id, Volante.case_id, Volante.numero, Volante.estado_clave, Volante.enlace_id,
                       Volante.status, Volante.due_date, Volante.paused_at, Volante.review_due_date)


@bp.get("/")
@login_required
def index():
    session = get_session()
    user = current_user
    filters = parse_filters(request.args)
    if not enlace_filter_shown(user):
        filters.enlace = None
    today = today_mx()
    cal = calendar(session)
    soon = cal.add(today, SOON_DAYS)
    kw = {"today": today, "soon": soon}
    if filters.q:
        filters.search = interpret(session, filters.q, today)
    figure = figure_banner(session, user, filters, today) if filters.cifra else None

    # One statement gives the chips, the total (the status filter picks one of its rows) and the
    # overdue chip (an uncorrelated scalar subquery, evaluated once): every round trip counts on
    # a busy database server. The open work is counted exactly (indexed); a search or the whole
    # history stops counting after COUNT_CAP rows and says "más de".
    matching = base_query(user, [Case.status], filters, with_status=False, **kw)
    limited = count_statuses(filters) is None
    if limited:
        matching = matching.limit(COUNT_CAP + 1)
    matching = matching.subquery()
    count_columns = [matching.c.status, func.count()]
    # Listing the overdue ones already counts them (the list's total).
    overdue_listed = filters.plazo == "vencido" and not limited
    if not filters.q and not overdue_listed:  # with a search the chip only links (a broad match counts slowly)
        # A clock runs only while the case is open, and the chip links to the open work's overdue
        # list: with "todos" it counts the open work too (the same number, read from the open
        # work's indexes instead of every case's current round).
        overdue_filters = Filters(**{**filters.__dict__, "plazo": "vencido",
                                     "status": "" if filters.status == TODOS else filters.status})
        overdue_stmt = base_query(user, [func.count()], overdue_filters, **kw)
        count_columns.append(overdue_stmt.scalar_subquery())
    count_rows = session.execute(select(*count_columns).group_by(matching.c.status)).all()
    counts = {row[0]: row[1] for row in count_rows}
    capped = limited and sum(counts.values()) > COUNT_CAP
    shown = row_statuses(filters)
    total = sum(n for st, n in counts.items() if shown is None or st in shown)
    if filters.q:
        overdue = None
    elif overdue_listed:
        overdue = total
    else:  # no counted row means nothing matches, overdue included (it counts a subset of the rows)
        overdue = (count_rows[0][2] if count_rows else 0) or 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(filters.page, pages)
    # The page is chosen on cases alone (narrow rows, the open work's indexes), never joined to
    # the rounds (base_query); then only those 50 cases are joined to their round and phone, by
    # primary key. (Joining first made the planner hash every volante and every contact before
    # sorting: a full scan of both tables on each page view.)
    page_ids = ordered(base_query(user, [Case.id], filters, **kw),
                      filters.sort).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    phone_col = select(Contact.phone).where(Contact.id == Case.contact_id).scalar_subquery()
    rows_stmt = ordered(
        select(Case, Volante, phone_col).select_from(Case).outerjoin(Volante, current_volante_clause())
        .where(Case.id.in_(page_ids.correlate(None))), filters.sort,
    ).options(load_only(*ROW_CASE_COLUMNS), load_only(*ROW_VOLANTE_COLUMNS))
    rows = [(c, v, (tel or c.contacto_telefono) if sees_identity(user, c) else None)
            for c, v, tel in session.execute(rows_stmt)]
    if not sees_everything(user):
        rows = [(c, v, phone) for c, v, phone in rows if v is None or v.estado_clave == user.estado_clave]
    enlace_options = visible_enlaces(session, user)
    enlaces = {u.id: u for u in enlace_options}
    missing = {v.enlace_id for _, v, _ in rows if v is not None and v.enlace_id} - enlaces.keys()
    if missing:  # a round assigned to someone no longer listed (deactivated, moved to another state)
        enlaces.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(missing)))})

    status = 400 if filters.errors else 200
    return render_template(
        "queue/index.html", rows=rows, enlaces=enlaces, filters=filters, total=total, page=page,
        pages=pages, counts={} if capped else counts, capped=capped, COUNT_CAP=COUNT_CAP, overdue=overdue,
        today=today, soon=soon, cal=cal, plazo_badge=plazo_badge, figure=figure,
        devueltos=sent_back_rounds(session, rows), SNIPPET_CHARS=SNIPPET_CHARS,
        show_enlace_filter=enlace_filter_shown(user),
        SORTS=SORTS, PLAZO_LABELS=PLAZO_LABELS, STATUS_CHOICES=STATUS_CHOICES,
        counted=count_statuses(filters) or list(STATUS_LABELS), enlace_options=enlace_options,
        estados=sorted(BY_CLAVE.values(), key=lambda e: e.nombre) if sees_everything(user) else [],
        page_url=_page_url,
    ), status


def _page_url(page: int) -> str:
    from flask import url_for

    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return url_for("queue.index", page=page, **args)


@bp.app_template_filter("fecha_hora")
def fecha_hora(moment) -> str:
    """A UTC timestamp in Mexico City time, dd/mm/aaaa hh:mm."""
    if moment is None:
        return ""
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(MX_TZ).strftime("%d/%m/%Y %H:%M")


@bp.app_template_filter("fecha")
def fecha(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
