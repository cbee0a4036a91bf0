"""The one-question satisfaction survey sent after a case is concluded (DOMAIN.md §8).

Flow: the job notify_case_concluded (workers/jobs/notices.py) sends the FUR's respuesta al
ciudadano, then QUESTION as an outbound message with kind=SURVEY_KIND and the case id. When the
affiliate writes next, the dialogue calls `record_answer(session, contact, text)` first; it returns True (and the dialogue
replies THANKS) only when:
- the last outbound message to this contact is that survey question (so a "2" answering a menu
  the bot showed later is never taken as a score),
- it was sent less than ANSWER_WINDOW ago and its case is concluded and has no score yet,
- the text reads as a score 1-5: "5", "4 muy bien", "cinco", "⭐⭐⭐⭐", "3/5". The rest of the
  text is kept as the comment.
No dialog_state is needed (the dialogue may reset it on session expiry; the answer can come
hours later).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.actors import BOT
from core.enums import CaseStatus, Direction, MessageStatus
from core.lifecycle import CaseEvent
from core.models import Case, Message
from core.timeutil import now

SURVEY_KIND = "encuesta"
QUESTION = ("Del 1 al 5, ¿cómo calificas la atención que recibiste? "
            "Puedes agregar un comentario.")
THANKS = "¡Gracias por tu respuesta! Nos ayuda a mejorar la atención."
ANSWER_WINDOW = timedelta(days=7)
# Outbound messages the affiliate never got do not count as "the last thing we said".
_NOT_DELIVERED = (MessageStatus.SUPPRESSED, MessageStatus.FAILED, MessageStatus.UNDELIVERED)

_WORDS = {"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5}
_STARS = re.compile(r"[⭐★]")
_TOKEN = re.compile(r"\b([1-5])(?:\s*/\s*5|\s*de\s*5)?\b|\b(uno|dos|tres|cuatro|cinco)\b")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def parse_score(text: str) -> tuple[int, str | None] | None:
    """'4 muy bien' -> (4, 'muy bien'); 'cinco' -> (5, None); 'hola' -> None."""
    raw = (text or "").strip()
    if not raw:
        return None
    stars = len(_STARS.findall(raw))
    if 1 <= stars <= 5:
        comment = _clean_comment(_STARS.sub(" ", raw))
        return stars, comment
    folded = _fold(raw)
    if re.search(r"\d", folded) and not _TOKEN.search(folded):
        return None  # a number, but not 1-5 ("10", "0")
    match = _TOKEN.search(folded)
    if match is None:
        return None
    # The score has to open the answer (at most three words before it: "le doy un 4").
    if len(folded[: match.start()].split()) > 3:
        return None
    score = int(match.group(1)) if match.group(1) else _WORDS[match.group(2)]
    # Several different scores ("entre 3 y 4") are ambiguous.
    others = {int(m.group(1)) if m.group(1) else _WORDS[m.group(2)] for m in _TOKEN.finditer(folded)}
    if len(others) > 1:
        return None
    before, after = _split_around(raw, folded, match)
    if all(word in _FILLER for word in _fold(before).split()):
        before = ""
    return score, _clean_comment(before + " " + after)


_FILLER = {"le", "les", "te", "doy", "pongo", "un", "una", "mi", "calificacion", "es", "yo", "seria", "pues"}


def _split_around(raw: str, folded: str, match: re.Match) -> tuple[str, str]:
    """The text before and after the score, in the original spelling."""
    if len(raw) == len(folded):
        return raw[: match.start()], raw[match.end():]
    i = folded.find(match.group(0))
    return _fold(raw)[:i], raw[-(len(folded) - match.end()):] if match.end() < len(folded) else ""


def _clean_comment(text: str) -> str | None:
    text = re.sub(r"\s+", " ", text).strip(" .,;:-!¡¿?")
    return text[:2000] or None


def pending_survey(session: Session, contact) -> Case | None:
    """The case whose survey question is the last thing we sent this contact, if still open."""
    last = session.scalar(
        select(Message)
        .where(Message.contact_id == contact.id, Message.direction == Direction.OUTBOUND,
               Message.status.not_in(_NOT_DELIVERED))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1)
    )
    if last is None or last.kind != SURVEY_KIND or last.case_id is None:
        return None
    if last.created_at < now() - ANSWER_WINDOW:
        return None
    case = session.get(Case, last.case_id)
    if case is None or case.status != CaseStatus.CONCLUIDA:
        return None
    # A reopened case is surveyed again after its new conclusion: a score given before this
    # question was asked does not close it.
    if case.satisfaction is not None and (case.satisfaction_at is None or case.satisfaction_at >= last.created_at):
        return None
    return case


def record_answer(session: Session, contact, text: str) -> bool:
    """Store a 1-5 answer (and comment) on the pending case; True when the text was the answer."""
    case = pending_survey(session, contact)
    if case is None:
        return False
    parsed = parse_score(text)
    if parsed is None:
        return False
    score, comment = parsed
    case.satisfaction = score
    case.satisfaction_comment = comment
    case.satisfaction_at = now()
    audit.record(session, BOT, CaseEvent.ENCUESTA_SATISFACCION, case=case, data={"calificacion": score})
    session.flush()
    return True
