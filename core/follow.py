"""The public follow page's secret code: a folio plus this code shows the case's status and its
public answer, and nothing else (docs/confidential.md).

The code is made at registration (bot, operator intake, buzón), shown once to the affiliate and
stored only as an argon2 hash. Eight characters from 31 that cannot be confused when read aloud or
copied by hand (no 0/O, 1/I/L) are ~40 bits; with the page's rate limits (per address and per
folio) guessing is out of reach. Every failure, whatever its cause (no such folio, a case without a
code, a wrong code, a malformed entry), gives the same answer after the same work: a hash check
runs even when there is no row, so neither the text nor the timing says whether a folio exists.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import CaseStatus
from core.enums import VolanteStatus as VS
from core.models import Case, Fur, Volante

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
FOLIO_RE = re.compile(r"^SINAC-\d{4}-\d{6}$")

# Lighter than the staff passwords' hasher (OWASP's minimum for argon2id): the code is random,
# not chosen by a person, so the cost only has to make an offline guess of a leaked hash slow.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display(code: str) -> str:
    """ABCD2345 -> ABCD-2345, as the affiliate is shown it."""
    return f"{code[:4]}-{code[4:]}"


def normalize(typed: str | None) -> str:
    """What a person types back: any case, spaces or hyphens."""
    return re.sub(r"[^A-Z0-9]", "", (typed or "").upper())


def hash_code(code: str) -> str:
    return _hasher.hash(normalize(code))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(new_code())


def _matches(stored: str | None, typed: str) -> bool:
    try:
        return _hasher.verify(stored or _dummy_hash(), typed) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def issue(case: Case) -> str:
    """Give the case a new code; returns it in clear (to show once), stores its hash."""
    code = new_code()
    case.follow_code_hash = hash_code(code)
    return code


@dataclass(frozen=True)
class PublicStatus:
    """What the public page may say: no name, phone, CURP, description, unit or estado."""

    case_id: int  # for the audit event of the look-up; never shown
    folio: str
    status: str  # a CaseStatus; the page words it as the bot does (bot/dialogue/replies.py STATUS_TEXT)
    fecha_limite: date | None = None  # the open round's due date, while it waits for an answer
    respuesta: str | None = None  # the FUR's respuesta al ciudadano, once the case is concluded


def public_status(session: Session, folio: str | None, code: str | None) -> PublicStatus | None:
    """The case's public status when the folio and the code match, else None (one answer for all)."""
    folio = (folio or "").strip().upper()
    typed = normalize(code)
    row = None
    if FOLIO_RE.match(folio) and len(typed) == CODE_LENGTH:
        row = session.execute(select(Case.id, Case.status, Case.follow_code_hash)
                              .where(Case.folio == folio)).first()
    if not _matches(row.follow_code_hash if row else None, typed or "-") or row is None:
        return None
    due, answer = None, None
    if row.status in (CaseStatus.TURNADA, CaseStatus.RESPONDIDA):
        due = session.scalar(select(Volante.due_date).where(
            Volante.case_id == row.id, Volante.status.in_([VS.ABIERTO, VS.RESPONDIDO]))
            .order_by(Volante.numero.desc()).limit(1))
    if row.status == CaseStatus.CONCLUIDA:
        answer = session.scalar(select(Fur.respuesta_ciudadano).join(Volante, Volante.id == Fur.volante_id)
                                .where(Fur.case_id == row.id, Fur.is_draft.is_(False),
                                       Volante.status == VS.ACEPTADO)
                                .order_by(Volante.numero.desc()).limit(1))
    return PublicStatus(row.id, folio, row.status, due, answer)
