"""Another request in the middle of a report (a person, a folio, a coverage or information
question): answered, then the report resumes where it was."""

from __future__ import annotations

from bot.dialogue import control, coverage, form_fill, info, information, tramite
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.turn import STRONG, Step, Turn


def interrupt(t: Turn) -> bool:
    """Inside a form or confirmation: handle a different request and resume. True if handled."""
    digit = t.signals.digit
    if digit == 6 or (t.signals.asks_human and t.intent == "hablar_con_persona") or \
            "hablar_con_persona" in t.secondary or \
            (t.intent == "hablar_con_persona" and t.confidence >= STRONG):
        control.handoff(t)
        return True
    if digit == 5 or (t.intent == "estado_tramite" and (t.confidence >= 0.8 or tramite.has_folio(t))):
        tramite.tramite(t)
        if t.step is Step.TRAMITE:
            S.clear_flow(t.state, keep_form=True)
        form_fill.resume(t)
        return True
    if digit == 3:
        t.go(Step.COVERAGE_ASK)
        t.say(R.ASK_COVERAGE)
        return True
    if t.intent == "consulta_cobertura" and t.confidence >= 0.6 and U.coverage_cue(t.text):
        coverage.coverage(t, t.text)
        if t.step is not Step.COVERAGE_CLARIFY:
            form_fill.resume(t)
        return True
    if digit == 4:
        information.information(t, None)
        return True
    if t.intent == "solicitud_informacion" and t.confidence >= STRONG and info.match(t.text):
        information.information(t, t.text)
        form_fill.resume(t)
        return True
    return False

