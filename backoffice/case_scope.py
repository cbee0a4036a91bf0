"""What of a case the signed-in person reaches, for every view of a case (the page, its actions,
the FUR, writing to the affiliate, a handoff answered from the case): scoped lookups — another
state's case answers 404, never 403 (core.access) —, the editor check, the PII rule, and how a
refused change answers (status code, the fields it names)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from backoffice.db import get_session
from core.access import can_edit, can_see_case, scope_cases, scope_volantes
from core.enums import STAFF_ROLES as STAFF
from core.errors import DomainError, PermissionDenied, ValidationError
from core.models import Case, Volante
from core.versions import StaleVersion


def get_case_or_404(case_id: int, *, options=()) -> Case:
    session = get_session()
    stmt = scope_cases(select(Case).where(Case.id == case_id), current_user)
    if options:
        stmt = stmt.options(*options)
    case = session.scalar(stmt)
    if case is None or not can_see_case(current_user, case):
        abort(404)
    return case


def get_volante_or_404(volante_id: int) -> Volante:
    session = get_session()
    stmt = scope_volantes(select(Volante).where(Volante.id == volante_id), current_user)
    volante = session.scalar(stmt)
    if volante is None or not can_see_case(current_user, volante.case):
        abort(404)
    return volante


def require_editor() -> None:
    """Participación social reads only: any change answers 403."""
    if not can_edit(current_user):
        abort(403)


def show_pii(user) -> bool:
    """Full CURP and phone for national operators; masked for enlaces and supervisors."""
    return user.role in STAFF


def error_status(exc: DomainError) -> int:
    if isinstance(exc, StaleVersion):
        return 409
    return 403 if isinstance(exc, PermissionDenied) else 422


def field_errors(exc: DomainError, default_field: str | None = None) -> dict[str, str]:
    if isinstance(exc, ValidationError) and exc.fields:
        return {name: exc.message for name in exc.fields}
    return {default_field: exc.message} if default_field else {}
