"""Merge a duplicate into the case that carries on (issue 17 item 2, docs/duplicates.md).

The duplicate goes through the FUSIONAR transition (to cancelada, its open volante cancelled) and
points to the survivor (`merged_into_id`); the survivor records that it received it. Nothing is
moved or deleted: both timelines stay, and the survivor's page shows the merged folio's history
and messages beside its own.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.duplicates import surviving
from core.enums import CaseStatus
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, CaseEvent
from core.models import Case
from core.services.transition import Result, _transition
from core.timeutil import now
from core.versions import Seen, claim_case


def merge_cases(session: Session, duplicate: Case, survivor: Case, actor: Actor, reason: str = "", *,
                seen: Seen | None = None) -> Result:
    survivor = surviving(session, survivor)
    if survivor.id == duplicate.id:
        raise ValidationError("Elige otro folio: un caso no se fusiona consigo mismo.", fields={"survivor": "igual"})
    if survivor.status == CaseStatus.CANCELADA:
        raise ValidationError(f"El folio {survivor.folio} está cancelado: elige el caso que sigue en trámite.",
                              fields={"survivor": "cancelado"})
    reason = " ".join((reason or "").split()) or f"Duplicado del folio {survivor.folio}"
    _transition(session, duplicate, Action.FUSIONAR, actor, reason=reason,
                data={"en": survivor.folio, "en_id": survivor.id}, seen=seen)
    duplicate.merged_into_id = survivor.id
    volante = duplicate.open_volante
    if volante is not None:
        volante.status = VS.CANCELADO
        volante.closed_at = now()
    duplicate.closed_at = now()
    claim_case(session, survivor)
    audit.record(session, actor, CaseEvent.FUSION_RECIBIDA, case=survivor, reason=reason,
                 data={"folio": duplicate.folio, "case_id": duplicate.id})
    return Result(duplicate, [Job(JobName.NOTIFY_CASE_MERGED, {"case_id": duplicate.id}, QueueName.DEFAULT)])
