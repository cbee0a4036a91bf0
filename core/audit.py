"""Append an audit event; the only way the domain writes history.

One table holds both the case history (transitions, notes: who, when, from, to, why) and the
system audit (logins, exports, permission changes, case views). Events recorded while a web
request runs carry that request's client address and user agent: the back office sets them once
per request (`set_origin`, backoffice/audit_log.py), so no caller passes them by hand and core
stays free of Flask. Retention: docs/audit.md.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from sqlalchemy.orm import Session

from core.actors import Actor
from core.models import AuditEvent

# A staff member opened a case page. Recorded in the same table (search it with the rest) but
# not part of the case's history: timelines and the collision check leave it out (history_only).
CASE_VIEW = "caso_consultado"
NOT_HISTORY = (CASE_VIEW,)
# Who looked, not what happened: deleted after the retention period (core/retention.py).
ACCESS_ACTIONS = ("login", "login_fallido", "logout", CASE_VIEW)
IP_MAX = 64
USER_AGENT_MAX = 300

_ORIGIN: ContextVar[tuple[str | None, str | None]] = ContextVar("sinac_audit_origin", default=(None, None))


def set_origin(ip: str | None, user_agent: str | None) -> Token:
    """Where the current request comes from; every event recorded until `reset_origin` carries it."""
    return _ORIGIN.set(((ip or None) and ip[:IP_MAX], (user_agent or None) and user_agent[:USER_AGENT_MAX]))


def reset_origin(token: Token) -> None:
    _ORIGIN.reset(token)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    case=None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    ip, user_agent = _ORIGIN.get()
    event = AuditEvent(
        case_id=case.id if case is not None else None,
        actor_id=actor.id,
        actor_label=actor.label,
        action=str(action),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
        ip=ip,
        user_agent=user_agent,
    )
    session.add(event)
    return event


def record_view(session: Session, actor: Actor, case) -> AuditEvent:
    """A staff member opened the case: one row, flushed with the caller's commit."""
    return record(session, actor, CASE_VIEW, case=case)


def history_only():
    """The condition that keeps a case's history (its timeline) and leaves out views."""
    return AuditEvent.action.not_in(NOT_HISTORY)
