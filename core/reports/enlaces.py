"""Per-enlace figures of the informe mensual (issue 17 item 6): for each user who filed FURs in
the month, the cases and FURs answered, the median and 90th percentile of business days from
the volante's sending to the filing, and the share filed in plazo.

Counted in the month the FUR was filed, over every FUR (re-turns after a devolución included),
in the report's estado only (the volante's estado, as every volante figure). Who may read which
rows is core.access.scope_enlace_rows: national roles all of them, an enlace only their own.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import scope_enlace_rows
from core.estados import BY_CLAVE
from core.models import User

LABELS: dict[str, str] = {
    "casos": "Casos respondidos",
    "respondidos": "FUR presentados",
    "respondidos_en_plazo": "FUR en plazo",
    "pct_en_plazo": "% en plazo",
    "dias_mediana": "Días hábiles a responder (mediana)",
    "dias_p90": "Días hábiles a responder (percentil 90)",
}
FIGURES = tuple(LABELS)
DEFINITION = ("Por enlace (la persona usuaria que presentó cada FUR): casos y FUR presentados en el mes, días "
              "hábiles desde el envío de cada volante hasta su FUR (mediana y percentil 90, re-turnos incluidos) "
              "y porcentaje presentado en plazo.")


def finish(values: dict | None) -> dict:
    values = values or {}
    out = {name: int(values.get(name) or 0) for name in ("casos", "respondidos", "respondidos_en_plazo")}
    out["pct_en_plazo"] = round(out["respondidos_en_plazo"] / out["respondidos"], 4) if out["respondidos"] else None
    for name in ("dias_mediana", "dias_p90"):
        out[name] = values.get(name)
    return out


def rows(session: Session, current: dict, previous: dict) -> list[dict]:
    """One row per user with FURs in the month or the previous one: {usuario_id, nombre, estado,
    estado_nombre, actual, anterior}, most FURs first."""
    ids = sorted(set(current) | set(previous))
    if not ids:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    out = []
    for uid in ids:
        user = users.get(uid)
        clave = user.estado_clave if user else None
        out.append({
            "usuario_id": uid,
            "nombre": user.nombre if user else f"Usuario {uid}",
            "estado": clave,
            "estado_nombre": BY_CLAVE[clave].nombre if clave in BY_CLAVE else "",
            "actual": finish(current.get(uid)),
            "anterior": finish(previous.get(uid)),
        })
    out.sort(key=lambda r: (-r["actual"]["respondidos"], -r["anterior"]["respondidos"], r["nombre"]))
    return out


def for_reader(report: dict, user) -> dict:
    """The report as `user` may read it (page, chart data, exports): the per-enlace rows cut by
    core.access.scope_enlace_rows. A snapshot saved before these figures existed has none."""
    return {**report, "por_enlace": scope_enlace_rows(report.get("por_enlace") or [], user)}


def for_mailing(report: dict, *, national: bool) -> dict:
    """The report as e-mailed on the 1st (core.reports.delivery): a state's report goes to a list
    of addresses, not of users, which may include that state's enlaces, who read only their own
    row; so it carries no per-enlace figures at all (no rows, no table in its PDF, no definition
    of them). The national one goes to the directorate's list, with every row."""
    if national:
        return report
    out = {key: value for key, value in report.items() if key != "por_enlace"}
    if isinstance(report.get("definiciones"), dict):
        out["definiciones"] = {k: v for k, v in report["definiciones"].items() if k != "por_enlace"}
    return out
