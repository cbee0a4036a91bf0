"""Possible duplicates at registration (issue 17 item 2; the rule is in docs/duplicates.md).

A case is a candidate duplicate of an earlier one when all of these hold:
- the same person: the same Contact, the same phone (its last ten digits), or the same CURP;
- the same tipo and the same estado (either unknown counts as the same);
- the earlier one was registered at most `window_days` calendar days before (Setting
  `duplicados_dias`, default DEFAULT_WINDOW_DAYS) and was not cancelled or merged;
- unidad and monto do not contradict: when both cases name a unidad, the folded names match (one
  contains the other); when both carry a monto, the amounts are equal.

The bot and the call-center form call `find_candidates` before registering (to ask "¿es el mismo
asunto?"); `register_case` calls `candidates_for` and keeps the newest on the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.enums import CaseStatus
from core.errors import DomainError
from core.models import Case, Contact
from core.phones import normalize_phone
from core.plazos import days_setting
from core.text.fold import fold
from core.timeutil import now

DEFAULT_WINDOW_DAYS = 30
WINDOW_SETTING = "duplicados_dias"
PHONE_DIGITS = 10
MAX_CANDIDATES = 5


def window_days(session: Session) -> int:
    return days_setting(session, WINDOW_SETTING, DEFAULT_WINDOW_DAYS)


def _phone_forms(raw: str | None) -> tuple[str | None, set[str]]:
    """The normalized phone and the forms a case's contacto_telefono may hold it in (so the
    look-up is an indexed IN, not a suffix LIKE)."""
    if not raw:
        return None, set()
    try:
        phone = normalize_phone(raw)
    except DomainError:
        return None, set()
    digits = "".join(ch for ch in phone if ch.isdigit())
    forms = {phone, digits, digits[-PHONE_DIGITS:], raw.strip()}
    return phone, {f for f in forms if f}


def unidad_agrees(a: str | None, b: str | None) -> bool:
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return True  # nothing to compare
    return fa in fb or fb in fa


def monto_agrees(a, b) -> bool:
    if a is None or b is None:
        return True
    return Decimal(str(a)).quantize(Decimal("0.01")) == Decimal(str(b)).quantize(Decimal("0.01"))


def find_candidates(
    session: Session,
    *,
    tipo: str,
    estado_clave: str | None,
    contact_id: int | None = None,
    phone: str | None = None,
    curp: str | None = None,
    unidad: str | None = None,
    monto=None,
    at: datetime | None = None,
    exclude_id: int | None = None,
) -> list[Case]:
    """Earlier cases of the same person that look like the same matter, newest first. One
    indexed query per way of being the same person (contact, phone, CURP), merged here."""
    phone, forms = _phone_forms(phone)
    if contact_id is None and phone:
        contact_id = session.scalar(select(Contact.id).where(Contact.phone == phone))
    same_person = []
    if contact_id is not None:
        same_person.append(Case.contact_id == contact_id)
    if forms:
        same_person.append(Case.contacto_telefono.in_(sorted(forms)))
    if curp:
        same_person.append(Case.curp == curp.strip().upper())
    at = at or now()
    base = select(Case).where(
        Case.tipo == tipo,
        Case.created_at >= at - timedelta(days=window_days(session)),
        Case.created_at <= at,
        Case.status != CaseStatus.CANCELADA,
        Case.merged_into_id.is_(None),
    )
    if estado_clave is not None:
        base = base.where(or_(Case.estado_clave == estado_clave, Case.estado_clave.is_(None)))
    if exclude_id is not None:
        base = base.where(Case.id != exclude_id)
    found: dict[int, Case] = {}
    for condition in same_person:
        for c in session.scalars(base.where(condition).order_by(Case.created_at.desc()).limit(50)):
            if unidad_agrees(unidad, c.unidad) and monto_agrees(monto, c.monto):
                found[c.id] = c
    ordered = sorted(found.values(), key=lambda c: (c.created_at, c.id), reverse=True)
    return ordered[:MAX_CANDIDATES]


def candidates_for(session: Session, case: Case) -> list[Case]:
    """Candidates for a case just registered (itself excluded)."""
    phone = case.contact.phone if case.contact is not None else case.contacto_telefono
    if case.contact is None and case.contact_id is not None:
        phone = session.scalar(select(Contact.phone).where(Contact.id == case.contact_id))
    return find_candidates(
        session, tipo=case.tipo, estado_clave=case.estado_clave, contact_id=case.contact_id,
        phone=phone or case.contacto_telefono, curp=case.curp, unidad=case.unidad, monto=case.monto,
        at=case.created_at, exclude_id=case.id,
    )


def open_candidates(session: Session, case: Case) -> list[Case]:
    """What the case page offers to merge: the candidates still standing (not merged away)."""
    if case.merged_into_id is not None or case.status == CaseStatus.CANCELADA:
        return []
    return candidates_for(session, case)


def surviving(session: Session, case: Case) -> Case:
    """Follow merges to the case that carries on (a merged folio points to its survivor)."""
    seen = {case.id}
    while case.merged_into_id is not None:
        nxt = session.get(Case, case.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        case = nxt
    return case


