"""The queue of volantes: one row per case's current volante, scoped, filtered, paginated in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import and_, bindparam, func, literal, select
from sqlalchemy.orm import aliased, load_only

from backoffice.db import get_session
from core.access import hide_confidential, scope_cases, sees_everything, sees_identity
from core.enums import CANAL_LABELS, STATUS_LABELS, TIPO_LABELS, CaseStatus, Role
from core.enums import VolanteStatus as VS
from core.errors import DomainError
from core.estados import BY_CLAVE
from core.models import Case, Contact, User, Volante
from core.plazos import BusinessCalendar, calendar
from core.reminders import dias_de_atraso, dias_restantes
from core.report_links import LABELS as FIGURE_LABELS
from core.report_links import counts_rounds, figure_case_ids, figure_rows
from core.reports.months import Month
from core.review_clock import review_late_clause, review_status
from core.search import IDENTITY_KINDS, Search, interpret
from core.timeutil import MX_TZ, today_mx

bp = Blueprint("queue", __name__, url_prefix="/volantes")

PER_PAGE = 50
COUNT_CAP = 2000
SORTS = {
    "recientes": "Más recientes",
    "antiguos": "Más antiguos",
    "vence": "Vencimiento más próximo",
    "folio": "Folio",
}
# Without a status or a search the queue is the work in progress (open cases); "todos" and any
# search cover every status. Counting the closed history of a year (hundreds of thousands of
# rows) on every page view is left to when someone asks for it.
OPEN = [str(x) for x in (CaseStatus.REGISTRADA, CaseStatus.TURNADA, CaseStatus.RESPONDIDA)]
TODOS = "todos"
STATUS_CHOICES = {"": "Abiertos", **STATUS_LABELS, TODOS: "Todos"}
PLAZO_LABELS = {"vencido": "Vencidos", "por_vencer": "Vencen en 2 días hábiles o menos",
                "revision_vencida": "Revisión del FUR vencida (Vinculación)"}
SOON_DAYS = 2
ROW_CASE_COLUMNS = (Case.id, Case.folio, Case.tipo, Case.canal, Case.estado_clave, Case.status, Case.created_at,
                    Case.contacto_telefono, Case.contact_id, Case.current_volante_id, Case.description, Case.monto,
                    Case.ronda, Case.confidencial)
SNIPPET_CHARS = 140
ROW_VOLANTE_COLUMNS = (Volante.id, Volante.case_id, Volante.numero, Volante.estado_clave, Volante.enlace_id,
                       Volante.status, Volante.due_date, Volante.paused_at, Volante.review_due_date)


@dataclass
class Filters:
    estado: str = ""
    tipo: str = ""
    canal: str = ""
    status: str = ""
    plazo: str = ""
    enlace: int | None = None
    desde: date | None = None
    hasta: date | None = None
    q: str = ""
    sort: str = "recientes"
    page: int = 1
    raw: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    search: Search | None = None  # what `q` means and its SQL, read once per request
    # A figure of the informe mensual (a dashboard bar): exactly the cases it counts that month.
    cifra: str = ""
    mes: Month | None = None


def parse_filters(args) -> Filters:
    """Read the query string; bad values are reported in Spanish and ignored (the text is kept)."""
    f = Filters(raw={k: args.get(k, "") for k in
                     ("estado", "tipo", "canal", "status", "plazo", "enlace", "desde", "hasta", "q", "sort",
                      "cifra", "mes")})

    def choice(name, allowed, label):
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            f.errors[name] = f"{label}: elige una opción de la lista."
            return ""
        return value

    f.estado = choice("estado", BY_CLAVE, "Estado")
    f.tipo = choice("tipo", TIPO_LABELS, "Tipo")
    f.canal = choice("canal", CANAL_LABELS, "Canal")
    f.status = choice("status", STATUS_CHOICES, "Estatus")
    f.plazo = choice("plazo", PLAZO_LABELS, "Plazo")
    f.sort = choice("sort", SORTS, "Orden") or "recientes"
    enlace = (args.get("enlace") or "").strip()
    if enlace:
        if enlace.isdigit():
            f.enlace = int(enlace)
        else:
            f.errors["enlace"] = "Enlace: elige una opción de la lista."
    for name, label in (("desde", "Desde"), ("hasta", "Hasta")):
        value = (args.get(name) or "").strip()
        if value:
            try:
                setattr(f, name, date.fromisoformat(value))
            except ValueError:
                f.errors[name] = f"{label}: escribe una fecha válida (AAAA-MM-DD)."
    if f.desde and f.hasta and f.desde > f.hasta:
        f.errors["hasta"] = "Hasta: la fecha final es anterior a la inicial."
        f.hasta = None
    f.q = (args.get("q") or "").strip()[:100]
    f.cifra = choice("cifra", FIGURE_LABELS, "Cifra del informe")
    if f.cifra:
        try:
            f.mes = Month.parse(args.get("mes") or "").check_reportable()
        except DomainError:
            f.errors["mes"] = "Mes del informe: escribe un mes como AAAA-MM, que ya haya empezado."
            f.cifra = ""
    page = (args.get("page") or "1").strip()
    f.page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return f


def _mx_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=MX_TZ)


def _current_volante_clause():
    """Volante is the case's latest round (cases.current_volante_id, kept by the services)."""
    return Volante.id == Case.current_volante_id


def row_statuses(filters: Filters) -> list[str] | None:
    """The statuses the listed rows may have (None: any). A search and a report figure cover
    every status unless one is chosen."""
    if filters.status == TODOS or (not filters.status and (filters.q or filters.cifra)):
        return None
    return [filters.status] if filters.status else OPEN


def count_statuses(filters: Filters) -> list[str] | None:
    """The statuses counted in the chips: the open ones, plus the one asked for (None: all)."""
    if filters.status == TODOS or filters.q or filters.cifra:
        return None
    return OPEN + ([filters.status] if filters.status and filters.status not in OPEN else [])


def _in_sql(column, values):
    """`column IN (values)` with the values written into the statement (they come from fixed
    choices): the partial indexes over the open work and the running rounds (migration 0023)
    are then proved usable from the text itself, whatever plan the server caches for it."""
    if len(values) == 1:
        return column == literal(values[0], literal_execute=True)
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


def _running_clause():
    """The round's clock runs (core.reminders.vencido_clause without the date), as
    ix_volantes_running_due's predicate."""
    return and_(_in_sql(Volante.status, [VS.ABIERTO]), Volante.paused_at.is_(None))


def _round_condition(filters: Filters, today: date | None, soon: date | None):
    """What the filters ask of the case's current round (enlace, plazo), as a condition on
    Volante, or None."""
    conditions = []
    if filters.enlace:
        conditions.append(Volante.enlace_id == filters.enlace)
    if filters.plazo == "revision_vencida":
        conditions.append(review_late_clause(today))
    elif filters.plazo == "vencido":
        conditions += [_running_clause(), Volante.due_date < today]
    elif filters.plazo:
        conditions += [_running_clause(), Volante.due_date >= today, Volante.due_date <= soon]
    return and_(*conditions) if conditions else None


def base_query(user, columns, filters: Filters, *, with_status: bool = True, today: date | None = None,
               soon: date | None = None):
    """The scoped, filtered statement on cases; the caller adds ordering, grouping or limits.

    The current round is never joined: a filter on it (enlace, plazo) is a semi-join on the
    case's current round id, and the due-date order reads the round's date per case (_order), so
    counts and pages read the open cases' indexes beside the few matching rounds
    (ix_cases_open_volante, ix_volantes_running_due; migration 0023) instead of joining them.
    """
    stmt = select(*columns).select_from(Case)
    if user.role == Role.ENLACE and not filters.cifra:
        # An enlace's queue holds the cases of their state that were turned (scope_cases below).
        # The current round always belongs to the case's estado (reassigning opens a new round);
        # index() re-checks it row by row rather than making the planner scan the state's
        # whole history of rounds.
        stmt = stmt.where(Case.current_volante_id.is_not(None))
    stmt = scope_cases(stmt, user)
    if filters.cifra:
        # A report figure (an enlace may also see its estado's cases that were never turned):
        # its estado is the one the report groups by, the volante's for volante figures.
        counted = figure_case_ids(filters.cifra, filters.mes, **_figure_groups(user, filters), as_of=today)
        stmt = stmt.where(Case.id.in_(counted))
    elif filters.estado:
        stmt = stmt.where(Case.estado_clave == filters.estado)
    if filters.tipo:
        stmt = stmt.where(Case.tipo == filters.tipo)
    if filters.canal:
        stmt = stmt.where(Case.canal == filters.canal)
    statuses = row_statuses(filters) if with_status else count_statuses(filters)
    if statuses is not None:
        stmt = stmt.where(_in_sql(Case.status, statuses))
    round_condition = _round_condition(filters, today, soon)
    if round_condition is not None:
        # The same rows as joining the current round and filtering it: a case has one.
        # (Not correlated: the page's rows join the current round, Volante, too.)
        stmt = stmt.where(Case.current_volante_id.in_(select(Volante.id).where(round_condition).correlate(None)))
    if filters.desde:
        stmt = stmt.where(Case.created_at >= _mx_start(filters.desde))
    if filters.hasta:
        stmt = stmt.where(Case.created_at < _mx_start(filters.hasta + timedelta(days=1)))
    if filters.search is not None:
        stmt = stmt.where(filters.search.clause)
        if filters.search.kind in IDENTITY_KINDS:
            stmt = hide_confidential(stmt, user)  # a phone never leads to a confidential case
    return stmt


def _figure_groups(user, filters: Filters) -> dict:
    """The bar's group: estado (an enlace's own, always), canal, tipo."""
    estado = user.estado_clave if user.role == Role.ENLACE else (filters.estado or None)
    return {"estado": estado, "canal": filters.canal or None, "tipo": filters.tipo or None}


def _figure_banner(session, user, filters: Filters, today: date) -> dict:
    """What the list is: the figure, its month and group, and how many rounds and cases it counts."""
    groups = _figure_groups(user, filters)
    rows = session.scalar(select(func.count()).select_from(
        figure_rows(filters.cifra, filters.mes, **groups, as_of=today).subquery()))
    cases = session.scalar(select(func.count()).select_from(
        figure_case_ids(filters.cifra, filters.mes, **groups, as_of=today).subquery()))
    names = [BY_CLAVE[groups["estado"]].nombre if groups["estado"] else "Nacional",
             CANAL_LABELS.get(groups["canal"], ""), TIPO_LABELS.get(groups["tipo"], "")]
    params = {"mes": filters.mes.key, "estado": groups["estado"] if sees_everything(user) else None}
    return {"label": FIGURE_LABELS[filters.cifra], "mes": filters.mes.label,
            "grupo": " · ".join(n for n in names if n), "casos": cases,
            "volantes": rows if counts_rounds(filters.cifra) else None,
            "informe": {k: v for k, v in params.items() if v}}


def _order(stmt, sort: str):
    if sort == "antiguos":
        return stmt.order_by(Case.created_at.asc(), Case.id.asc())
    if sort == "vence":
        # The current round's due date, looked up per case (its primary key): a join made the
        # planner hash every volante of the year to sort a few thousand open cases. No round last.
        due_round = aliased(Volante, name="due_round")
        due = select(due_round.due_date).where(due_round.id == Case.current_volante_id).scalar_subquery()
        return stmt.order_by(due.asc().nulls_last(), Case.id.asc())
    if sort == "folio":
        return stmt.order_by(Case.folio.asc())
    return stmt.order_by(Case.created_at.desc(), Case.id.desc())


def _dias(n: int) -> str:
    return f"{n} día hábil" if n == 1 else f"{n} días hábiles"


def plazo_badge(volante: Volante | None, today: date, soon: date, cal: BusinessCalendar) -> dict | None:
    """The due-date marker of a row: business days left or late (core.reminders, the same count
    as reminders and escalations), as text and a CSS class (never color only)."""
    if volante is None:
        return None
    if volante.status == VS.RESPONDIDO:  # the national review's clock (core.review_clock)
        review = review_status(volante, today, cal)
        if review is None:
            return {"text": "En revisión", "cls": ""}
        state, days = review
        if state == "vencida":
            return {"text": f"Revisión vencida hace {_dias(days)}", "cls": "vencido"}
        text = "Revisión vence hoy" if state == "vence_hoy" else f"En revisión: quedan {_dias(days)}"
        return {"text": text, "cls": "por-vencer" if volante.review_due_date <= soon else ""}
    if volante.status != VS.ABIERTO:
        return None
    if volante.paused_at is not None:
        return {"text": "Plazo pausado", "cls": ""}
    if volante.due_date < today:
        return {"text": f"Vencido hace {_dias(dias_de_atraso(volante, today, cal))}", "cls": "vencido"}
    left = dias_restantes(volante, today, cal)
    text = "Vence hoy" if left == 0 else f"Quedan {_dias(left)}"
    return {"text": text, "cls": "por-vencer" if volante.due_date <= soon else ""}


def sent_back_rounds(session, rows) -> set[int]:
    """The listed cases whose current round opened because the previous one was sent back."""
    wanted = {(c.id, v.numero - 1) for c, v, _ in rows if v is not None and v.numero > 1}
    if not wanted:
        return set()
    found = session.execute(select(Volante.case_id, Volante.numero).where(
        Volante.case_id.in_({case_id for case_id, _ in wanted}), Volante.status == VS.DEVUELTO)).all()
    return {case_id for case_id, numero in found if (case_id, numero) in wanted}


def enlace_filter_shown(user) -> bool:
    """National roles filter by enlace; an enlace's queue is their state's, with no such filter."""
    return user.role != Role.ENLACE


def visible_enlaces(session, user) -> list[User]:
    stmt = select(User).where(User.role == Role.ENLACE).order_by(User.estado_clave, User.nombre)
    if not sees_everything(user):
        stmt = stmt.where(User.estado_clave == user.estado_clave)
    return list(session.scalars(stmt))


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
    figure = _figure_banner(session, user, filters, today) if filters.cifra else None

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
    page_ids = _order(base_query(user, [Case.id], filters, **kw),
                      filters.sort).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    phone_col = select(Contact.phone).where(Contact.id == Case.contact_id).scalar_subquery()
    rows_stmt = _order(
        select(Case, Volante, phone_col).select_from(Case).outerjoin(Volante, _current_volante_clause())
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
