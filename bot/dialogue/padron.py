"""«¿Sigo vigente?» with a CURP: the affiliation answer, only to the phone the padrón ties to that
CURP (core/padron/answer.py). A message without a CURP is left to the information flow."""

from __future__ import annotations

from bot.dialogue import replies as R
from bot.dialogue.turn import Turn
from core.padron.answer import own_affiliation
from core.padron.backends import backend_for
from core.text.curp import CURP_SEARCH_RE
from core.text.fold import fold

CUES = ("vigente", "vigencia", "afiliacion", "afiliado", "afiliada", "poliza", "activo", "activa", "sigo")


def answer(t: Turn) -> bool:
    found = CURP_SEARCH_RE.search(t.text or "")
    if found is None:
        return False
    words = fold(t.text).split()
    bare = len(words) == 1  # the CURP alone, e.g. after the information answer asked for it
    if not bare and not any(cue in words for cue in CUES):
        return False
    result = own_affiliation(t.session, backend_for(t.settings, t.session), t.contact.phone,
                             found.group(0).upper(), today=None)
    t.say(R.own_affiliation(result))
    return True
