"""Who may see which case: the system's most important permission rule.

An enlace sees only the cases and volantes of their own estado; national roles see all.
Every list, detail, attachment, export, search and count goes through these functions.
"""

from __future__ import annotations

from sqlalchemy import Select, false

from core.enums import Role
from core.models import Case, Volante


def sees_everything(user) -> bool:
    return user.role in (Role.VINCULACION, Role.PARTICIPACION_SOCIAL, Role.ADMIN)


def scope_cases(query: Select, user) -> Select:
    """Restrict a query that selects from Case to what `user` may see."""
    if sees_everything(user):
        return query
    if user.role == Role.ENLACE and user.estado_clave:
        return query.where(Case.estado_clave == user.estado_clave)
    return query.where(false())


def scope_volantes(query: Select, user) -> Select:
    """Restrict a query that selects from Volante (an enlace sees its estado's rounds)."""
    if sees_everything(user):
        return query
    if user.role == Role.ENLACE and user.estado_clave:
        return query.where(Volante.estado_clave == user.estado_clave, _case_in_estado(user.estado_clave))
    return query.where(false())


def _case_in_estado(clave: str):
    from sqlalchemy import exists, select

    # correlate_except: the subquery must keep its own Case even when the outer query joins cases.
    return exists(select(Case.id).where(Case.id == Volante.case_id, Case.estado_clave == clave)
                  .correlate_except(Case))


def can_see_case(user, case: Case | None) -> bool:
    if case is None:
        return False
    if sees_everything(user):
        return True
    return user.role == Role.ENLACE and bool(user.estado_clave) and case.estado_clave == user.estado_clave


def can_edit(user) -> bool:
    """Participación social reads; it never edits cases."""
    return user.role in (Role.ENLACE, Role.VINCULACION, Role.ADMIN)


def sees_identity(user, case) -> bool:
    """Who the affiliate is (name, phone, e-mail, CURP, their messages and files): on a
    confidential case, Vinculación only (docs/confidential.md); on any other, as usual."""
    return not getattr(case, "confidencial", False) or user.role == Role.VINCULACION


def confidential_contact_ids(session, contact_ids) -> set[int]:
    """Which of these contacts (phones) made a confidential report: their phone and messages are
    the identity of that report, so `sees_contact` keeps them to Vinculación."""
    from sqlalchemy import select

    ids = list(contact_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Case.contact_id).where(Case.contact_id.in_(ids),
                                                             Case.confidencial.is_(True)).distinct()))


def sees_contact(user, confidential: bool) -> bool:
    """A contact's phone and conversation: as `sees_identity`, for a contact with a confidential report."""
    return not confidential or user.role == Role.VINCULACION


def hide_confidential(query: Select, user) -> Select:
    """For look-ups through the affiliate's identity (a phone, a CURP, the phone's other reports):
    a confidential case is found that way by Vinculación only, so nobody else can tie it to a
    person by searching."""
    if user.role == Role.VINCULACION:
        return query
    return query.where(Case.confidencial.is_(False))


def scope_enlace_rows(rows, user) -> list:
    """Per-enlace figures of the informe mensual (rows with `usuario_id`): national roles read
    every row; an enlace reads only their own; anyone else none."""
    if sees_everything(user):
        return list(rows)
    if user.role == Role.ENLACE:
        return [row for row in rows if row.get("usuario_id") == user.id]
    return []
