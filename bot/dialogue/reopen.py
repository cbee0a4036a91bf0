"""A closed report the affiliate says was not solved: offer to reopen it (core.services.reopen),
after a low survey score or in their own words ("no se resolvió", "sigue igual"), only for their
own case and only within the reopening window. Yes opens a new round on the same folio."""

from __future__ import annotations

import re

from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.turn import Step, Turn, says_no, says_yes
from core.errors import NotFound, ValidationError
from core.models import Case

LOW_SCORE = 2  # a survey answer at most this low offers to reopen

_UNRESOLVED_RE = re.compile(
    r"\bno (?:se|me|nos|le) (?:resolvi\w*|solucion\w*|arregl\w*)\b|\bno (?:quedo|esta) resuelt\w*"
    r"|\bsigue (?:igual|sin|el mismo)\b|\bno sirvio (?:de nada|la respuesta)\b|\breabr\w*"
    r"|\bno (?:estoy|quede) (?:conforme|satisfech\w*|de acuerdo)\b")


def offer_after_survey(t: Turn) -> None:
    case = t.session.get(Case, t.message.case_id) if t.message.case_id else None
    if case is not None and case.satisfaction is not None and case.satisfaction <= LOW_SCORE:
        _offer(t, case.folio)


def unresolved(t: Turn) -> bool:
    """'no se resolvió nada': offered when this phone has a case closed within the window."""
    if not _UNRESOLVED_RE.search(U.fold(t.text)):
        return False
    return _offer(t, None)


def _offer(t: Turn, folio: str | None) -> bool:
    from core.services.reopen import reopenable_case

    case = reopenable_case(t.session, t.contact, folio)
    if case is None:
        return False
    t.state["reopen"] = {"folio": case.folio, "reason": t.text[:500]}
    t.go(Step.REOPEN)
    t.say(R.reopen_offer(case.folio))
    return True


def on_reopen(t: Turn) -> bool:
    pending = t.state.get("reopen") or {}
    if says_yes(t):
        from core.services.reopen import reopen_by_affiliate

        t.state["reopen"] = None
        t.go(None)
        try:
            with t.session.begin_nested():
                result = reopen_by_affiliate(t.session, t.contact, folio=pending.get("folio"),
                                             reason=pending.get("reason"))
        except (NotFound, ValidationError) as exc:
            t.say(exc.message)
            return True
        t.jobs.extend(result.jobs)
        t.message.case_id = result.case.id
        t.case_id = result.case.id
        t.say(R.reopened(result.case.folio))
        return True
    if says_no(t):
        S.clear_flow(t.state)
        t.state["reopen"] = None
        t.say(R.REOPEN_DECLINED)
        return True
    t.state["reopen"] = None
    S.clear_flow(t.state, keep_form=True)
    return False  # something else: read as a new request
