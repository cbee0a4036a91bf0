"""One dialogue turn: read the message, move the conversation, say what to say.

`run_turn(session, contact, message, nlu, settings)` decides the replies (texts, in order), the
jobs the domain asked for and the case the turn registered; `bot.turns.handle_inbound` stores the
state, queues the replies and marks the message processed. Nothing here commits.

Order of precedence on every message: opt-out / ALTA → silence while opted out or handed off →
answer to the satisfaction survey (core.satisfaction) → first-contact greeting → idle-session expiry → media → empty text → MENÚ → the current step
(form, confirmation, coverage clarification, …) → the intent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue import forms, info
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from core.actors import BOT
from core.config import Settings
from core.enums import OPEN_STATUSES, Tipo
from core.errors import DomainError
from core.jobs import Job
from core.models import Case, Contact, Message
from core.timeutil import today_mx

log = logging.getLogger(__name__)

FORM_INTENTS = {
    "queja": Tipo.QUEJA.value,
    "cobro_injustificado": Tipo.COBRO_INJUSTIFICADO.value,
    "sugerencia": Tipo.SUGERENCIA.value,
    "felicitacion": Tipo.FELICITACION.value,
}
DIGIT_INTENT = {
    1: "queja",
    2: "cobro_injustificado",
    3: "consulta_cobertura",
    4: "solicitud_informacion",
    5: "estado_tramite",
    6: "hablar_con_persona",
}
STRONG = 0.7  # confidence above which an intent may interrupt a form
FALLBACK_COVERAGE_SCORE = 0.95  # a text the classifier did not get, read as a disease name


@dataclass
class Turn:
    session: Session
    contact: Contact
    message: Message
    settings: Settings
    text: str
    intent: str
    confidence: float
    entities: list[dict]
    ranking: list[dict]
    state: dict
    at: datetime
    replies: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    case_id: int | None = None
    reply_kind: str = "reply"  # "opt_out": the one confirmation bot.outbound still sends
    menu_choice: bool = False
    first_contact: bool = False
    secondary: list[str] = field(default_factory=list)  # other intents in the message (bot/nlu)
    clauses: dict[str, str] = field(default_factory=dict)  # intent -> its clause of the message

    def say(self, *texts: str) -> None:
        self.replies.extend(t for t in texts if t)

    @property
    def step(self) -> str | None:
        return self.state.get("step")

    @property
    def form(self) -> dict | None:
        return self.state.get("form")


def run_turn(turn: Turn) -> Turn:
    t = turn
    if U.is_opt_out(t.text):
        _opt_out(t)
        return t
    if t.contact.opt_out:
        if U.is_opt_in(t.text):
            t.contact.opt_out = False
            t.contact.opt_out_at = None
            t.say(R.OPT_IN, R.MENU)
            S.clear_flow(t.state)
        return t  # opted out: stored, never answered
    if t.contact.handoff:
        _keep_media(t)
        return t  # a person answers; the bot stays quiet
    if t.text.strip() and _survey_answer(t):
        return t
    if t.contact.privacy_notice_at is None:
        t.first_contact = True
        t.contact.privacy_notice_at = t.at
        t.say(R.greeting_first(t.settings.privacy_url))
    if _expiry(t):
        return t
    if _media(t):
        return t
    if not t.text.strip():
        t.say(R.EMPTY)
        _prompt_current(t, fallback_menu=True)
        return t
    if U.is_menu(t.text) or U.is_opt_in(t.text):
        S.clear_flow(t.state)
        t.say(R.MENU)
        return t
    if len(t.text) > 1500 and not t.form:
        t.say(R.TOO_LONG)
    handler = STEP_HANDLERS.get(t.step)
    if handler is not None and handler(t):
        return t
    _dispatch(t)
    return t


def _survey_answer(t: Turn) -> bool:
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


# --------------------------------------------------------------------------- dispatch


def _effective_intent(t: Turn) -> str:
    digit = U.menu_digit(t.text)
    if digit in DIGIT_INTENT:
        t.menu_choice = True
        return DIGIT_INTENT[digit]
    if U.asks_for_human(t.text) and t.intent not in FORM_INTENTS:
        return "hablar_con_persona"
    return t.intent


def _dispatch(t: Turn) -> None:
    """Act on the message's intent with no sub-flow in progress (or after leaving one)."""
    intent = _effective_intent(t)
    if t.step not in (None, "form", "confirm"):
        S.clear_flow(t.state, keep_form=True)
    if U.looks_like_garbage(t.text):
        intent = "nlu_fallback"
    if intent != "nlu_fallback":
        t.state["fallbacks"] = 0
    if intent == "hablar_con_persona":
        _handoff(t)
    elif intent in FORM_INTENTS:
        mark = len(t.replies)
        forms.start(t, FORM_INTENTS[intent], story=not t.menu_choice)
        asks = "consulta_cobertura" in t.secondary or (
            intent == "cobro_injustificado" and U.asks_coverage(t.text))
        if not t.menu_choice and asks:
            form_replies = t.replies[mark:]
            del t.replies[mark:]
            # "me cobraron la cesárea, ¿no que la cubren?": the answer first, then the report
            coverage_of_charge(t, t.clauses.get("consulta_cobertura"),
                               charged=intent == "cobro_injustificado")
            t.replies.extend(form_replies)
    elif intent == "consulta_cobertura":
        if t.menu_choice or not U.content_words(t.text):
            t.state["step"] = "coverage_ask"
            t.say(R.ASK_COVERAGE)
        else:
            coverage(t, t.clauses.get("consulta_cobertura") or t.text)
            report = next((i for i in t.secondary if i in FORM_INTENTS), None)
            if report is not None:
                # "¿el VIH lo cubren? y quiero quejarme porque me negaron la consulta": the
                # answer, then the report of the other topic
                forms.start(t, FORM_INTENTS[report], story=True)
    elif intent == "solicitud_informacion":
        information(t, None if t.menu_choice else t.text)
    elif intent == "estado_tramite":
        tramite(t)
    elif intent == "saludo":
        if not t.first_contact:
            t.say(R.GREETING_AGAIN if t.state.get("last_at") else R.HOLA)
        t.say(R.MENU)
    elif intent == "despedida":
        t.say(R.GOODBYE)
    elif intent == "agradecimiento":
        t.say(R.THANKS)
    elif intent == "negar" and t.state.get("last_at") and not t.first_contact:
        t.say(R.DONE)
    elif intent in ("afirmar", "negar"):
        t.say(R.MENU)
    elif intent == "fuera_de_alcance" and not t.first_contact:
        t.say(R.OUT_OF_SCOPE, R.MENU)
    else:
        _fallback(t)


def _fallback(t: Turn) -> None:
    tema = info.match(t.text) if U.content_words(t.text) >= 2 else None
    if tema is not None:
        information(t, t.text)
        return
    top = t.ranking[0] if t.ranking else {}
    if top.get("name") == "consulta_cobertura" and top.get("confidence", 0) >= 0.35 and U.coverage_cue(t.text):
        coverage(t, t.text)
        return
    if U.mentions_vaccine(t.text) and 1 <= U.content_words(t.text) <= 6:
        coverage(t, t.text)  # "vacuna covid": what the catalogs say about that vaccine
        return
    if 1 <= U.content_words(t.text) <= 6 and not U.looks_like_garbage(t.text):
        # "insuficiencia renal", "cataratas": a disease named alone is a coverage question
        ans = _ask_engine(t, t.text)
        top_score = float((ans.matches or [{}])[0].get("score") or 0) if ans is not None else 0.0
        if ans is not None and (ans.covered is True or ans.clarify) and top_score >= FALLBACK_COVERAGE_SCORE:
            coverage(t, t.text, ans=ans)
            return
    if t.first_contact:
        t.say(R.MENU)
        return
    t.state["fallbacks"] = int(t.state.get("fallbacks") or 0) + 1
    if t.state["fallbacks"] >= 2:
        t.say(R.NOT_UNDERSTOOD_AGAIN)
    else:
        t.say(R.NOT_UNDERSTOOD, R.MENU)


def _prompt_current(t: Turn, *, fallback_menu: bool = False) -> None:
    if t.form and t.step in ("form", "confirm"):
        forms.prompt(t)
    elif fallback_menu:
        t.say(R.MENU)


def _back_to_form(t: Turn) -> bool:
    """Leave a side flow; with a form pending, the message goes to the form's own step."""
    S.clear_flow(t.state, keep_form=True)
    if not t.form:
        return False
    handler = STEP_HANDLERS.get(t.step)
    return bool(handler and handler(t))


def resume_form(t: Turn) -> None:
    """After answering a side question, pick the form up where it was."""
    if t.form:
        t.state["step"] = "confirm" if t.form.get("ready") else "form"
        t.say(R.RESUME_PREFIX)
        forms.prompt(t)


# --------------------------------------------------------------------------- opt-out, handoff


def _opt_out(t: Turn) -> None:
    """One confirmation (kind "opt_out", which bot.outbound sends despite the flag), then silence
    until ALTA. Writing the word again while out sends nothing."""
    had_form = bool(t.form)
    S.clear_flow(t.state)
    t.state["media"] = []
    if t.contact.opt_out:
        return
    t.contact.opt_out = True
    t.contact.opt_out_at = t.at
    t.reply_kind = "opt_out"
    t.say(R.OPT_OUT_FORM_DROPPED if had_form else R.OPT_OUT)


def _handoff(t: Turn) -> None:
    t.contact.handoff = True
    t.contact.handoff_at = t.at
    if t.step not in ("form", "confirm"):
        S.clear_flow(t.state, keep_form=True)
    t.say(R.HANDOFF)


def interrupt(t: Turn) -> bool:
    """Inside a form or confirmation: handle a different request and resume. True if handled."""
    digit = U.menu_digit(t.text)
    if digit == 6 or (U.asks_for_human(t.text) and t.intent == "hablar_con_persona") or \
            (t.intent == "hablar_con_persona" and t.confidence >= STRONG):
        _handoff(t)
        return True
    if digit == 5 or (t.intent == "estado_tramite" and (t.confidence >= 0.8 or _has_folio(t))):
        tramite(t)
        if t.step == "tramite":
            S.clear_flow(t.state, keep_form=True)
        resume_form(t)
        return True
    if digit == 3:
        t.state["step"] = "coverage_ask"
        t.say(R.ASK_COVERAGE)
        return True
    if t.intent == "consulta_cobertura" and t.confidence >= 0.6 and U.coverage_cue(t.text):
        coverage(t, t.text)
        if t.step != "coverage_clarify":
            resume_form(t)
        return True
    if digit == 4:
        information(t, None)
        return True
    if t.intent == "solicitud_informacion" and t.confidence >= STRONG and info.match(t.text):
        information(t, t.text)
        resume_form(t)
        return True
    return False


def _has_folio(t: Turn) -> bool:
    from bot.nlu import normalize_folio

    return bool(normalize_folio(t.text)) or any(e.get("entity") == "folio" for e in t.entities)


# --------------------------------------------------------------------------- expiry, media


def _expiry(t: Turn) -> bool:
    expired = S.is_expired(t.state, t.at, t.settings.session_idle_minutes)
    if not expired:
        return False
    form = t.form
    S.clear_flow(t.state, keep_form=True)
    if not form:
        return False
    strong = (_effective_intent(t) not in ("saludo", "afirmar", "negar", "nlu_fallback",
                                            "fuera_de_alcance", "agradecimiento", "despedida")
              and not t.menu_choice) or U.is_opt_in(t.text)
    t.menu_choice = False
    if strong:
        S.clear_flow(t.state)
        t.say(R.SESSION_EXPIRED_SHORT)
        return False
    t.state["step"] = "resume"
    _keep_media(t)
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


def _keep_media(t: Turn) -> None:
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


def _media(t: Turn) -> bool:
    if not t.message.media:
        return False
    _keep_media(t)
    kind = _media_kind(t.message.media)
    last = _recent_open_case(t)
    if t.text.strip():
        if t.form or last is None:
            return False
        # a captioned photo after the report was registered belongs to it (issue 18)
        forms.link_media_to_case(t, last)
        media = t.state.get("media") or []
        if t.message.id in media:
            media.remove(t.message.id)
        if t.intent in _ABOUT_THE_PHOTO and U.content_words(t.text) <= 6:
            t.say(R.media_added(last.folio), R.INFO_MORE)
            return True
        t.say(R.media_added(last.folio))
        return False  # the caption asks something else: answer it too
    if not t.form and last is not None:
        forms.link_media_to_case(t, last)
        media = t.state.get("media") or []
        if t.message.id in media:
            media.remove(t.message.id)
        t.say(R.media_added(last.folio), R.INFO_MORE)
        return True
    if t.form and t.step in ("form", "confirm"):
        t.say(R.MEDIA_KEPT_FORM if kind != "audio" else R.MEDIA_ONLY["audio"] + " Lo guardo con tu reporte.")
        forms.prompt(t)
    else:
        t.say(R.MEDIA_ONLY[kind], R.MEDIA_ASK_TEXT)
    return True


# --------------------------------------------------------------------------- registration


def register(t: Turn, *, tipo: str, description: str, estado_clave: str | None, topic: str | None = None,
             amerita: bool | None = None, **extra):
    """Register a case through the domain service; returns the Case (or None if it failed)."""
    from core.services.cases import register_case

    try:
        with t.session.begin_nested():
            result = register_case(
                t.session, BOT, tipo=tipo, canal=t.contact.channel if t.contact.channel in ("whatsapp", "sms")
                else "whatsapp", estado_clave=estado_clave, contact=t.contact, description=description,
                topic=(topic or None) and topic[:300], amerita_gestion=amerita, **extra,
            )
    except DomainError as exc:
        log.warning("bot could not register a case", extra={"error": str(exc), "tipo": tipo})
        return None
    t.jobs.extend(result.jobs)
    t.message.case_id = result.case.id
    t.case_id = result.case.id
    return result.case


# --------------------------------------------------------------------------- coverage


def _coverage_engine():
    from core.coverage import get_engine

    return get_engine()


def _ask_engine(t: Turn, question: str, edad=None):
    try:
        return _coverage_engine().ask(question, edad=edad)
    except Exception:  # the catalog failing must not drop the conversation
        log.exception("coverage engine failed")
        return None


def coverage(t: Turn, question: str, *, edad=None, ans=None) -> None:
    question = (question or "").strip()[:500]
    ans = ans or _ask_engine(t, question, edad)
    if ans is None:
        t.say("No pude consultar los catálogos en este momento. Escribe 6 para hablar con una persona.")
        return
    t.say(ans.answer)
    case = register(t, tipo=Tipo.CONSULTA_COBERTURA.value, description=question,
                    estado_clave=t.contact.estado_clave, topic=ans.topic or U.fold(question)[:100])
    t.state["coverage"] = {"question": question, "options": list(ans.clarify or []), "edad": ans.edad,
                           "case_id": case.id if case is not None else None, "covered": ans.covered}
    if ans.clarify:
        t.state["step"] = "coverage_clarify"
    elif not t.form:
        t.state["step"] = "coverage_after"  # 4 = volante when unsure; follow-up questions


def coverage_of_charge(t: Turn, question: str | None = None, *, charged: bool = True) -> None:
    """A report that comes with a coverage question: when the catalogs clearly cover it, say so
    before the report goes on (the question stays in the report's story; no separate consulta
    is registered). Unsure answers are left to the enlace."""
    from core.coverage.answer import COBRO

    question = question or U.without_entities(t.text, t.entities)
    ans = _ask_engine(t, question)
    if ans is None or ans.covered is not True or ans.clarify:
        return
    answer = ans.answer.replace(COBRO, "").strip()
    if not charged:
        t.say(answer)
        return
    combined = f"{answer} {R.COVERED_BUT_CHARGED}"
    if len(combined) <= 300:  # one WhatsApp bubble, at most two SMS segments
        t.say(combined)
    else:
        t.say(answer, R.COVERED_BUT_CHARGED)


def _coverage_follow_up(t: Turn) -> bool:
    """'¿y la de cadera?' right after a coverage answer is another coverage question."""
    if t.menu_choice or U.menu_digit(t.text) is not None or U.looks_like_garbage(t.text):
        return False
    words = U.fold(t.text).split()
    if not words or len(words) > 10 or U.content_words(t.text) == 0:
        return False
    if t.intent == "consulta_cobertura":
        return True
    question_like = "?" in t.text or words[0] in ("y", "tambien", "ademas", "e")
    return question_like and (t.confidence < 0.8 or t.intent in ("nlu_fallback", "fuera_de_alcance"))


_SMALL_TALK = ("saludo", "agradecimiento", "despedida", "afirmar", "negar")


def _on_coverage_ask(t: Turn) -> bool:
    intent = _effective_intent(t)
    if not t.menu_choice and intent in _SMALL_TALK and U.content_words(t.text) <= 1:
        return _back_to_form(t)
    if not t.menu_choice and (U.content_words(t.text) == 0 or U.looks_like_garbage(t.text)):
        t.say(R.ASK_COVERAGE)
        return True
    if t.menu_choice or intent in ("hablar_con_persona", "estado_tramite") or U.is_cancel(t.text):
        t.menu_choice = False
        if U.is_cancel(t.text):
            S.clear_flow(t.state, keep_form=True)
            if t.form:
                resume_form(t)
            else:
                t.say(R.MENU)
            return True
        return _back_to_form(t)
    coverage(t, t.text)
    if t.step != "coverage_clarify" and t.form:
        resume_form(t)
    return True


def _on_coverage_clarify(t: Turn) -> bool:
    cov = t.state.get("coverage") or {}
    options = cov.get("options") or []
    digit = U.menu_digit(t.text)
    choice = None
    if digit is not None and 1 <= digit <= len(options):
        choice = options[digit - 1]
    else:
        k = U.fold(t.text)
        for opt in options:
            fo = U.fold(opt)
            if k and len(k) >= 4 and (k in fo or fo in k):
                choice = opt
                break
    if choice is None:
        intent = _effective_intent(t)
        if t.menu_choice or intent not in ("consulta_cobertura", "nlu_fallback", "fuera_de_alcance"):
            t.menu_choice = False
            return _back_to_form(t)
        coverage(t, t.text)
        if t.step != "coverage_clarify" and t.form:
            resume_form(t)
        return True
    ans = _ask_engine(t, choice, cov.get("edad"))
    if ans is None:
        t.say("No pude consultar los catálogos en este momento. Escribe 6 para hablar con una persona.")
        return True
    t.say(ans.answer)
    case_id = cov.get("case_id")
    if case_id:
        case = t.session.get(Case, case_id)
        if case is not None and ans.topic:
            case.topic = ans.topic[:300]
        t.message.case_id = case_id
    cov["options"] = []
    t.state["coverage"] = cov
    if t.form:
        S.clear_flow(t.state, keep_form=True)
        resume_form(t)
    else:
        cov["covered"] = ans.covered
        t.state["step"] = "coverage_after"
    return True


def _on_after_question(t: Turn) -> bool:
    """After an answer: 4 sends a question the bot was unsure of to a person as a volante; a
    short follow-up question after a coverage answer is answered as coverage too."""
    digit = U.menu_digit(t.text)
    cov = t.state.get("coverage") or {}
    question = cov.get("question") if t.step == "coverage_after" else (t.state.get("info") or {}).get("question")
    unsure = t.step == "info_unknown" or cov.get("covered") is not True
    if digit == 4 and question and unsure:
        S.clear_flow(t.state)
        forms.start_info_volante(t, question)
        return True
    if t.step == "coverage_after" and _coverage_follow_up(t):
        coverage(t, t.text, edad=cov.get("edad"))
        return True
    S.clear_flow(t.state, keep_form=True)
    return False


# --------------------------------------------------------------------------- information


def information(t: Turn, question: str | None) -> None:
    if question and U.content_words(question) < 2 and info.match(question) is None:
        if U.keyword_intent(question) != "solicitud_informacion":
            t.say(R.MENU)  # "¿me pueden ayudar?": the main menu
            return
        question = None  # "tengo una duda", "información": show the topics
    if not question or not question.strip():
        titles = [tema.titulo for tema in info.temas()]
        t.state["step"] = "info_menu"
        t.say(R.info_menu(titles))
        return
    tema = info.match(question)
    if tema is None:
        t.state["info"] = {"question": question[:1000]}
        t.state["step"] = "info_unknown"
        t.say(R.INFO_UNKNOWN)
        return
    _answer_tema(t, tema, question)


def _answer_tema(t: Turn, tema: info.Tema, question: str) -> None:
    t.say(tema.respuesta)
    register(t, tipo=Tipo.SOLICITUD_INFORMACION.value, description=question,
             estado_clave=t.contact.estado_clave, topic=tema.titulo, amerita=False)
    if t.form:
        S.clear_flow(t.state, keep_form=True)
    else:
        S.clear_flow(t.state)
        t.say(R.INFO_MORE)


def _on_info_menu(t: Turn) -> bool:
    digit = U.menu_digit(t.text)
    temas = info.temas()
    if digit is not None and 1 <= digit <= len(temas):
        tema = temas[digit - 1]
        _answer_tema(t, tema, f"Información: {tema.titulo}")
        if t.form:
            resume_form(t)
        return True
    tema = info.match(t.text)
    if tema is not None:
        _answer_tema(t, tema, t.text)
        if t.form:
            resume_form(t)
        return True
    if t.form:
        return _back_to_form(t)
    S.clear_flow(t.state)
    if t.intent == "solicitud_informacion" and t.confidence >= 0.5:
        information(t, t.text)
        return True
    return False


# --------------------------------------------------------------------------- folio status


def _case_by_folio(t: Turn, folio: str) -> Case | None:
    return t.session.scalar(select(Case).where(Case.folio == folio, Case.contact_id == t.contact.id))


def _case_by_sequence(t: Turn, seq: int) -> Case | None:
    year = today_mx(t.at).year
    for y in (year, year - 1):
        case = _case_by_folio(t, f"SINAC-{y:04d}-{seq:06d}")
        if case is not None:
            return case
    return None


def _status_line(case: Case) -> str:
    status = R.STATUS_TEXT.get(case.status, case.status)
    tipo = R.TIPO_NOMBRE.get(case.tipo, case.tipo)
    text = f"Tu folio {case.folio} ({tipo}) está {status}."
    volante = case.open_volante
    if case.status == "turnada" and volante is not None:
        if volante.due_date < today_mx():
            text += " Ya venció el plazo de respuesta; le estamos dando seguimiento."
        else:
            text += f" Respuesta a más tardar el {R.fecha(volante.due_date)}."
    if case.status == "concluida":
        fur = None
        for v in reversed(case.volantes):
            if v.fur is not None and not v.fur.is_draft:
                fur = v.fur
                break
        if fur is not None and fur.respuesta_ciudadano:
            text += f" Respuesta: {R.clip(fur.respuesta_ciudadano, 300)}"
    return text


def _list_open(t: Turn) -> None:
    cases = t.session.scalars(
        select(Case).where(Case.contact_id == t.contact.id, Case.status.in_([str(s) for s in OPEN_STATUSES]))
        .order_by(Case.created_at.desc(), Case.id.desc())
    ).all()
    if not cases:
        t.say(R.NO_OPEN_CASES)
        return
    lines = ["Tus reportes abiertos:"]
    for case in cases[:5]:
        tipo = R.TIPO_NOMBRE.get(case.tipo, case.tipo)
        line = f"• {case.folio} – {tipo}, {R.STATUS_TEXT.get(case.status, case.status)}"
        volante = case.open_volante
        if case.status == "turnada" and volante is not None:
            line += f" (respuesta a más tardar el {R.fecha(volante.due_date)})"
        lines.append(line)
    if len(cases) > 5:
        lines.append(f"y {len(cases) - 5} más.")
    t.say("\n".join(lines))
    if len(cases) > 1:
        t.say(R.ASK_FOLIO)


def _folio_in(t: Turn, *, bare_number: bool) -> tuple[str | None, int | None]:
    """(full folio, sequence) the user wrote, if any."""
    from bot.nlu import normalize_folio

    full = normalize_folio(t.text)
    if full:
        return full, None
    for ent in t.entities:
        if ent.get("entity") == "folio":
            value = str(ent.get("value") or "")
            if value.startswith("SINAC-"):
                return value, None
            digits = "".join(ch for ch in value if ch.isdigit())
            if digits and int(digits) > 0 and len(digits) <= 6:
                return None, int(digits)
    k = U.fold(t.text)
    import re

    m = re.search(r"\b(?:folio|reporte|numero|no|num)\s*(\d{1,6})\b", k)
    if m and int(m.group(1)) > 0:
        return None, int(m.group(1))
    if bare_number:
        m = re.fullmatch(r"\s*(\d{1,6})\s*", k)
        if m and int(m.group(1)) > 0:
            return None, int(m.group(1))
    return None, None


def tramite(t: Turn, *, bare_number: bool = False) -> None:
    full, seq = _folio_in(t, bare_number=bare_number)
    case = None
    if full:
        case = _case_by_folio(t, full)
    elif seq:
        case = _case_by_sequence(t, seq)
    if (full or seq) and case is None:
        t.say(R.FOLIO_NOT_FOUND)
        t.state["step"] = "tramite" if not t.form else t.step
        return
    if case is not None:
        t.say(_status_line(case))
        if t.step == "tramite":
            t.state["step"] = None
        return
    _list_open(t)
    if not t.form:
        t.state["step"] = "tramite"


def _on_tramite(t: Turn) -> bool:
    full, seq = _folio_in(t, bare_number=True)
    if full or (seq and (seq > 6 or _case_by_sequence(t, seq) is not None)):
        tramite(t, bare_number=True)
        return True
    if U.is_no(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 2) or \
            "no tengo" in U.fold(t.text):
        S.clear_flow(t.state, keep_form=True)
        t.say(R.NO_FOLIO)
        return True
    S.clear_flow(t.state, keep_form=True)
    return False


# --------------------------------------------------------------------------- resume


def _on_resume(t: Turn) -> bool:
    if U.is_yes(t.text) or (t.intent == "afirmar" and t.confidence >= 0.6 and U.content_words(t.text) <= 2):
        t.state["step"] = "confirm" if (t.form or {}).get("ready") else "form"
        forms.prompt(t)
        return True
    if U.is_no(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 1):
        S.clear_flow(t.state)
        t.say("Listo, empezamos de nuevo.", R.MENU)
        return True
    S.clear_flow(t.state)
    return False


STEP_HANDLERS = {
    "form": lambda t: forms.on_form(t),
    "confirm": lambda t: forms.on_confirm(t),
    "resume": _on_resume,
    "coverage_ask": _on_coverage_ask,
    "coverage_clarify": _on_coverage_clarify,
    "coverage_after": _on_after_question,
    "info_unknown": _on_after_question,
    "info_menu": _on_info_menu,
    "tramite": _on_tramite,
}
