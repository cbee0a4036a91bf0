"""Append an audit event; the only way the domain writes history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.actors import Actor
from core.models import AuditEvent


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
    event = AuditEvent(
        case_id=case.id if case is not None else None,
        actor_id=actor.id,
        actor_label=actor.label,
        action=str(action),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )
    session.add(event)
    return event
