"""Control of the conversation before any request is read: opt-out and ALTA, handoff to a
person, the satisfaction survey's answer, a pause long enough to expire the pending step, and
media (receipts, photos, voice notes) before, during or after a report."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.dialogue import form_fill
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.registration import link_media_to_case
from bot.dialogue.state import FORM_STEPS
from bot.dialogue.turn import Step, Turn
from core.actors import BOT
from core.enums import OPEN_STATUSES
from core.models import Case, Message
from core.services import contacts

log = logging.getLogger(__name__)


def opt_in(t: Turn) -> None:
    contacts.opt_in(t.session, BOT, t.contact)
    t.say(R.OPT_IN, R.MENU)
    S.clear_flow(t.state)


def opt_out(t: Turn) -> None:
    """One confirmation (kind "opt_out", which bot.outbound sends despite the flag), then silence
    until ALTA. Writing the word again while out sends nothing."""
    had_form = bool(t.form)
    S.clear_flow(t.state)
    t.state["media"] = []
    if not contacts.opt_out(t.session, BOT, t.contact, at=t.at):
        return
    t.reply_kind = "opt_out"
    t.say(R.OPT_OUT_FORM_DROPPED if had_form else R.OPT_OUT)


def handoff(t: Turn) -> None:
    contacts.hand_off(t.session, BOT, t.contact, at=t.at)
    if t.step not in FORM_STEPS:
        S.clear_flow(t.state, keep_form=True)
    t.say(R.HANDOFF)


def survey_answer(t: Turn) -> bool:
    """A 1-5 reply right after the satisfaction survey question (core.satisfaction)."""
    from core import satisfaction

    if not satisfaction.record_answer(t.session, t.contact, t.text):
        return False
    last = t.session.scalar(
        select(Message.case_id).where(Message.contact_id == t.contact.id, Message.direction == "outbound",
                                      Message.kind == satisfaction.SURVEY_KIND)
        .order_by(Message.id.desc()).limit(1))
    if last:
        t.message.case_id = last
    t.say(satisfaction.THANKS)
    return True


def expiry(t: Turn) -> bool:
    expired = S.is_expired(t.state, t.at, t.settings.session_idle_minutes)
    if not expired:
        return False
    t.state.pop("place", None)
    form = t.form
    S.clear_flow(t.state, keep_form=True)
    if not form:
        return False
    strong = (t.effective_intent() not in ("saludo", "afirmar", "negar", "nlu_fallback",
                                            "fuera_de_alcance", "agradecimiento", "despedida")
              and not t.menu_choice) or t.signals.opt_in
    t.menu_choice = False
    if strong:
        S.clear_flow(t.state)
        t.say(R.SESSION_EXPIRED_SHORT)
        return False
    t.go(Step.RESUME)
    keep_media(t)
    t.say(R.session_expired(form["tipo"]))
    return True


def _media_kind(media: list) -> str:
    types = [str((m or {}).get("content_type") or "") for m in media]
    if any(c.startswith("audio") for c in types):
        return "audio"
    if types and all(c.startswith("image") for c in types):
        return "image"
    return "other"


def _recent_open_case(t: Turn) -> Case | None:
    ref = t.state.get("last_case") or {}
    if not ref.get("id"):
        return None
    case = t.session.get(Case, ref["id"])
    if case is None or case.contact_id != t.contact.id or case.status not in OPEN_STATUSES:
        return None
    return case


def keep_media(t: Turn) -> None:
    if not t.message.media:
        return
    if t.form:
        msgs = t.form.setdefault("msgs", [])
        if t.message.id not in msgs:
            msgs.append(t.message.id)
    else:
        media = t.state.setdefault("media", [])
        if t.message.id not in media:
            media.append(t.message.id)
        del media[:-20]


# what a caption says when it only presents the photo ("aquí está el recibo", "el ticket")
_ABOUT_THE_PHOTO = frozenset({"nlu_fallback", "afirmar", "agradecimiento", "saludo",
                              "fuera_de_alcance", "estado_tramite", "cobro_injustificado"})


def media(t: Turn) -> bool:
    if not t.message.media:
        return False
    keep_media(t)
    kind = _media_kind(t.message.media)
    last = _recent_open_case(t)
    if t.text.strip():
        if t.form or last is None:
            return False
        # a captioned photo after the report was registered belongs to it (issue 18)
        link_media_to_case(t, last)
        media = t.state.get("media") or []
        if t.message.id in media:
            media.remove(t.message.id)
        if t.intent in _ABOUT_THE_PHOTO and U.content_words(t.text) <= 6:
            t.say(R.media_added(last.folio), R.INFO_MORE)
            return True
        t.say(R.media_added(last.folio))
        return False  # the caption asks something else: answer it too
    if not t.form and last is not None:
        link_media_to_case(t, last)
        media = t.state.get("media") or []
        if t.message.id in media:
            media.remove(t.message.id)
        t.say(R.media_added(last.folio), R.INFO_MORE)
        return True
    if t.form and t.step in FORM_STEPS:
        t.say(R.MEDIA_KEPT_FORM if kind != "audio" else R.MEDIA_ONLY["audio"] + " Lo guardo con tu reporte.")
        form_fill.prompt(t)
    else:
        t.say(R.MEDIA_ONLY[kind], R.MEDIA_ASK_TEXT)
    return True

