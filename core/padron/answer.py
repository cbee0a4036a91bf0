"""The bot's answer about one's own affiliation («¿sigo vigente?» with a CURP), guarded so that a
phone learns nothing about a CURP that is not its own.

The rule (conservative): the bot confirms the vigencia only when the CURP written matches a padrón
row AND that row's phone — the one the REPSS has on file, from the extract's `telefono` column or
the registry service — is the phone asking. A case the phone registered with that CURP does not
count: anyone can type anyone's CURP into a report. Every other situation (no such CURP, a row
without a phone, another phone) gets the same generic answer, so the reply never tells whether a
CURP is in the padrón. A registry that cannot be reached gets its own answer, which does not
depend on the CURP either."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from core import audit
from core.actors import BOT
from core.padron.backends import PadronBackend, PadronUnavailable
from core.timeutil import today_mx

CONFIRMED = "confirmado"
GENERIC = "generico"
UNAVAILABLE = "no_disponible"


@dataclass(frozen=True)
class OwnAffiliation:
    outcome: str  # CONFIRMED, GENERIC or UNAVAILABLE
    vigencia: date | None = None  # only when CONFIRMED
    vigente: bool | None = None


def own_affiliation(session: Session, backend: PadronBackend, phone: str, curp: str,
                    today: date | None = None) -> OwnAffiliation:
    try:
        found = backend.by_curp(curp)
    except PadronUnavailable:
        answer = OwnAffiliation(UNAVAILABLE)
    else:
        if found is None or not found.telefono or found.telefono != phone:
            answer = OwnAffiliation(GENERIC)
        else:
            answer = OwnAffiliation(CONFIRMED, found.vigencia, found.vigente(today or today_mx()))
    # who asked is in the message; the CURP is not copied into the audit trail
    audit.record(session, BOT, "padron_consulta", data={"canal": "bot", "respuesta": answer.outcome})
    return answer
