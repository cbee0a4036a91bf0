"""From the informe mensual to its cases: the cases a figure counts, and the month the dashboard
opens on.

A bar of the dashboard opens the queue on exactly the cases behind it: the queue asks
`figure_case_ids` for the figure, month and group (estado, canal, tipo) of the bar, and this
module builds that set from the report's own definitions (core.reports.events), so a bar that
says 2 opens 2 cases, whatever their status. Volante figures count rounds: a case with two
rounds in the month (sent back and turned again) is one row of the list.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, not_, select, union_all
from sqlalchemy.orm import Session

from core.models import Case
from core.reports import events
from core.reports.monthly import LABELS as MONTHLY_LABELS
from core.reports.months import Month
from core.reports.window import Window
from core.timeutil import today_mx

# figure -> (the report's events it counts (core.reports.events), an extra condition on their rows)
FIGURES = {
    "casos_registrados": (("registrados",), None),
    "atendidos": (("atendidos", "atendidos_reabiertos"), None),
    "volantes_abiertos": (("abiertos",), None),
    "volantes_respondidos": (("respondidos",), None),
    "respondidos_en_plazo": (("respondidos",), events.IN_PLAZO),
    "respondidos_fuera_de_plazo": (("respondidos",), not_(events.IN_PLAZO)),
    "volantes_vencidos": (("vencidos",), None),
}
# The report's own names (core.reports.monthly.LABELS), and the one figure only links show.
LABELS = {**{name: MONTHLY_LABELS[name] for name in FIGURES if name in MONTHLY_LABELS},
          "respondidos_fuera_de_plazo": "Respondidos fuera de plazo"}


def figure_rows(figure: str, month: Month, *, estado: str | None = None, canal: str | None = None,
                tipo: str | None = None, as_of: date | None = None) -> Select:
    """SELECT of one case id per row the figure counts (per volante for volante figures), for
    `month` and the group: estado as the report groups it (the volante's for volante figures,
    the case's for case figures), canal and tipo the case's."""
    names, extra = FIGURES[figure]
    window = Window(month, month, estado, as_of or today_mx())
    found = events.by_name(window)
    parts = []
    for name in names:
        event = found[name]
        canal_of, tipo_of = event.canal_tipo()  # a volante's figures: its copy of the case's
        conditions = [c for c in (extra, canal_of == canal if canal else None, tipo_of == tipo if tipo else None)
                      if c is not None]
        parts.append(events.event_rows(event, window).where(*conditions))
    if len(parts) == 1:
        return parts[0]
    return select(union_all(*parts).subquery("rows").c.case_id)


def figure_case_ids(figure: str, month: Month, **groups) -> Select:
    """SELECT of the distinct ids of the cases the figure counts (see figure_rows)."""
    return figure_rows(figure, month, **groups).distinct()


def counts_rounds(figure: str) -> bool:
    return events.by_name()[FIGURES[figure][0][0]].table == "volantes"


def default_month(session: Session, estado: str | None = None, today: date | None = None) -> Month:
    """The month the dashboard opens on: the last month that has ended, when it has cases;
    otherwise the latest month (up to this one) with any; with none at all, the last ended month."""
    current = Month.of(today or today_mx())
    previous = current.shift(-1)
    scope = [Case.estado_clave == estado] if estado else []
    if session.scalar(select(Case.id).where(Case.created_at >= previous.start_utc,
                                            Case.created_at < previous.end_utc, *scope).limit(1)):
        return previous
    latest = session.scalar(select(Case.created_at).where(Case.created_at < current.end_utc, *scope)
                            .order_by(Case.created_at.desc()).limit(1))
    return Month.of(today_mx(latest)) if latest is not None else previous
