"""The work queue's filters: what the query string asks for, checked, and the statuses it covers.

Read once per request (parse_filters); the statement (backoffice/queue_query.py) and the page
(backoffice/queue.py) take the Filters as given. Bad values are reported in Spanish and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.enums import CANAL_LABELS, STATUS_LABELS, TIPO_LABELS, CaseStatus
from core.errors import DomainError
from core.estados import BY_CLAVE
from core.report_links import LABELS as FIGURE_LABELS
from core.reports.months import Month
from core.search import Search

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
