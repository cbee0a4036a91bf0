"""What a listed round shows beside its case: the due-date marker, whether it was sent back,
and the enlaces the queue may filter by.

plazo_badge is also the review page's marker (backoffice/review.py).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.access import sees_everything
from core.enums import Role
from core.enums import VolanteStatus as VS
from core.models import User, Volante
from core.plazos import BusinessCalendar
from core.reminders import dias_de_atraso, dias_restantes
from core.review_clock import review_status

SOON_DAYS = 2


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
