"""How a report is going: by folio (full or just its number), or the list of this phone's open
reports. Only this phone's cases are ever found."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.turn import Step, Turn
from bot.nlu import normalize_folio
from core.enums import OPEN_STATUSES
from core.models import Case
from core.timeutil import today_mx


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
        if not t.form:
            t.go(Step.TRAMITE)
        return
    if case is not None:
        t.say(_status_line(case))
        if t.step is Step.TRAMITE:
            t.go(None)
        return
    _list_open(t)
    if not t.form:
        t.go(Step.TRAMITE)


def on_tramite(t: Turn) -> bool:
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


def has_folio(t: Turn) -> bool:

    return bool(normalize_folio(t.text)) or any(e.get("entity") == "folio" for e in t.entities)

