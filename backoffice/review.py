"""What the case page puts first for a reviewer (issue 16 item 3, docs/rounds.md).

The FUR under review, what changed since the round sent back before it, and the decision sit at
the top; the case's own messages follow; the rest of the phone's history (its other reports,
cancelled ones included, and messages tied to no case) is folded away in a <details> element,
so it works without JavaScript and never pushes the FUR down the page.
"""

from __future__ import annotations

from sqlalchemy import select

from backoffice.queue_rows import SOON_DAYS, plazo_badge
from backoffice.transcript import transcript_items
from core.access import hide_confidential, scope_cases, sees_everything, sees_identity
from core.enums import CaseStatus
from core.enums import VolanteStatus as VS
from core.models import Case, Message
from core.plazos import calendar
from core.services import rounds
from core.services.cases import FUR_LABELS
from core.timeutil import today_mx

HISTORY_SHOWN = 200


def review_context(session, case: Case, user, volantes, own_items: list[dict]) -> dict:
    under_review = next((v for v in reversed(volantes) if v.status == VS.RESPONDIDO and v.fur), None)
    if case.status != CaseStatus.RESPONDIDA:
        under_review = None
    diff = rounds.round_diff(session, under_review) if under_review is not None else None
    other_cases, history = _phone_history(session, case, user, {i["message"].id for i in own_items})
    return {"under_review": under_review, "round_diff": diff, "other_cases": other_cases,
            "phone_history": history, "FUR_LABELS": FUR_LABELS, "review_badge": round_badge(session, under_review)}


def round_badge(session, volante) -> dict | None:
    """The queue's marker of a round's clock (the enlace's plazo, or the review's once the FUR is
    filed: days left, due today, late, paused), for the case page."""
    if volante is None:
        return None
    cal, today = calendar(session), today_mx()
    return plazo_badge(volante, today, cal.add(today, SOON_DAYS), cal)


def _phone_history(session, case: Case, user, own_ids: set[int]) -> tuple[list[Case], list[dict]]:
    """The same phone's other reports (those the user may see) and their messages, newest first;
    national roles also get the phone's messages that belong to no case."""
    if case.contact_id is None or not sees_identity(user, case):
        return [], []  # a confidential case is not tied to the phone's other reports (docs/confidential.md)
    others = list(session.scalars(hide_confidential(scope_cases(
        select(Case).where(Case.contact_id == case.contact_id, Case.id != case.id), user), user)
        .order_by(Case.created_at.desc()).limit(50)))
    other_ids = [c.id for c in others]
    cond = Message.case_id.in_(other_ids) if other_ids else None
    if sees_everything(user):
        unlinked = (Message.contact_id == case.contact_id) & Message.case_id.is_(None)
        cond = unlinked if cond is None else (cond | unlinked)
    if cond is None:
        return others, []
    stmt = select(Message).where(cond)
    if own_ids:
        stmt = stmt.where(Message.id.not_in(own_ids))
    messages = list(session.scalars(
        stmt.order_by(Message.created_at.desc(), Message.sequence.desc(), Message.id.desc()).limit(HISTORY_SHOWN)))
    messages.reverse()
    return others, transcript_items(session, messages)


def answer_label(volante) -> str:
    """The case page's link to the FUR: a round prefilled from one sent back is still to answer."""
    if volante.fur is None or volante.fur.updated_by_id is None:
        return "Responder con FUR" + (" (parte de la respuesta devuelta)" if volante.fur is not None else "")
    return "Continuar el FUR"
