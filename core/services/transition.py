"""The one way a service changes a case's status: through the transition table
(core/lifecycle.py), claiming the case's next version, with its audit event; and the `Result`
every service returns (the case and the jobs its caller enqueues after the commit)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.jobs import Job
from core.lifecycle import Action, check_role, next_status
from core.models import Case
from core.versions import Seen, claim_case


@dataclass
class Result:
    case: Case
    jobs: list[Job] = field(default_factory=list)
    follow_code: str | None = None  # registration with follow_code=True: the code, in clear, to show once


def _transition(session: Session, case: Case, action: Action, actor: Actor, *, reason=None, data=None,
                seen: Seen | None = None):
    """Apply `action` through the table, claim the case's next version (StaleVersion when the
    caller's form was rendered from an older one) and record the audit event."""
    check_role(action, actor.role)
    claim_case(session, case, seen)
    before = case.status
    after = next_status(before, action)
    case.status = after
    audit.record(
        session, actor, action, case=case, from_status=before, to_status=after, reason=reason, data=data
    )
    return after
