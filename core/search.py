"""The back office's search box: what a query means and the SQL that finds it.

What was typed decides where to look, so every branch can use an index:

* a folio (``SINAC-2026-000123``, ``sinac 2026/123``, ``folio 123``): the folio;
* digits only (spaces, dashes, ``+`` allowed): 1 to 3 digits are a folio number, 4 or more are
  the end of a phone (and, up to 6 bare digits, also a folio number: "5678" may be either);
  a whole phone number is that phone;
* anything else: words, all of them found in the case's search text (description, unidad,
  concepto, the FURs' acciones and respuesta al ciudadano, the internal notes), without
  regard to accents or capitals ("cesarea" finds "Cesárea"). cases.search_text is kept folded
  by core.models.search_text.

Words use PostgreSQL full-text search (configuration ``sinac_es``: Spanish stemming, unaccent
when the server has it; migration 0008), matched against cases.search_tsv, the search text's
vector stored with a GIN index (migration 0024: not computed again for each row a plan reads):
"cesareas" finds "cesárea", "cobraron" finds "cobro". Whole stemmed words, not prefixes: the
planner has statistics for a lexeme (none for a prefix), so a common word is read newest-first along the date index and a rare one
through the GIN index. On SQLite, ``search_text LIKE '%word%'`` (any part of a word). Scoping (an enlace sees only their
estado) is the caller's: this module only builds the condition on Case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, false, func, literal, literal_column, or_, select
from sqlalchemy.dialects import postgresql  # noqa: F401  (registers func.to_tsquery's construct)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.errors import DomainError
from core.models import Case, Contact
from core.models.search_text import fold
from core.phones import normalize_phone

FOLIO_YEARS = 6  # a bare folio number is looked up in this many recent years
MAX_WORDS = 6
TS_CONFIG = "sinac_es"  # migration 0008
# to_tsvector(TS_CONFIG, cases.search_text), stored by PostgreSQL (migration 0024; not mapped)
SEARCH_VECTOR = literal_column("cases.search_tsv")

FOLIO_FULL = re.compile(r"^\s*(?:sinac|folio)?[\s#:/-]*(20\d\d)[\s/-]+(\d{1,6})\s*$", re.IGNORECASE)
FOLIO_PREFIXED = re.compile(r"^\s*(?:sinac|folio|#)[\s#:/-]*(\d{1,6})\s*$", re.IGNORECASE)
PHONE_CHARS = re.compile(r"^[\d\s()+.-]+$")
WORD = re.compile(r"[a-z0-9]+")
PHONE_SUFFIX_MIN = 4
FULL_PHONE_DIGITS = 10
MAX_CONTACTS = 5000


# Searches that find a case through the affiliate's identity: confidential cases stay out of them
# for everyone but Vinculación (core.access.hide_confidential).
IDENTITY_KINDS = ("telefono", "folio_o_telefono")


@dataclass
class Search:
    """A query, read: the condition on Case and, in Spanish, what is being looked for."""

    text: str
    kind: str  # folio | folio_o_telefono | telefono | palabras
    clause: ColumnElement
    meaning: str
    ignored: list[str] = field(default_factory=list)  # words too common to search (PostgreSQL)


def _folio_numbers(number: int, today: date) -> list[str]:
    return [f"SINAC-{year}-{number:06d}" for year in range(today.year - FOLIO_YEARS + 1, today.year + 1)]


def _years(today: date) -> str:
    return f"{today.year - FOLIO_YEARS + 1} a {today.year}"


def _by_contacts(session: Session, condition) -> list[ColumnElement]:
    """Cases of the contacts whose phone meets `condition`, looked up first: an id list lets the
    cases be found by their contact index (OR'ed with the typed phone's) instead of a join."""
    ids = list(session.scalars(select(Contact.id).where(condition).limit(MAX_CONTACTS)))
    return [Case.contact_id.in_(ids)] if ids else []


def _phone_suffix(session: Session, digits: str) -> ColumnElement:
    """Phones ending in `digits`: the contact's (E.164) or the one typed on the case."""
    pattern = f"%{digits}"
    return or_(*_by_contacts(session, Contact.phone.like(pattern)), Case.contacto_telefono.like(pattern))


def _exact_phone(session: Session, q: str, digits: str) -> ColumnElement | None:
    try:
        phone = normalize_phone(q)
    except DomainError:
        return None
    # A phone typed on the case in another format still ends in the same ten digits.
    return or_(*_by_contacts(session, Contact.phone == phone),
               Case.contacto_telefono.in_({phone, q.strip(), digits}),
               Case.contacto_telefono.like(f"%{phone[-FULL_PHONE_DIGITS:]}"))


def interpret(session: Session, q: str, today: date) -> Search:
    """Read `q` (already stripped and shortened by the caller)."""
    q = (q or "").strip()
    if m := FOLIO_FULL.match(q):
        folio = f"SINAC-{m.group(1)}-{int(m.group(2)):06d}"
        return Search(q, "folio", Case.folio == folio, f"el folio {folio}")
    if m := FOLIO_PREFIXED.match(q):
        number = int(m.group(1))
        return Search(q, "folio", Case.folio.in_(_folio_numbers(number, today)),
                      f"folios con número {number:06d} ({_years(today)})")
    digits = re.sub(r"\D", "", q)
    if digits and PHONE_CHARS.match(q):
        if len(digits) >= FULL_PHONE_DIGITS:
            clause = _exact_phone(session, q, digits)
            if clause is not None:
                return Search(q, "telefono", clause, f"el teléfono terminado en {digits[-4:]}")
            return Search(q, "telefono", _phone_suffix(session, digits), f"teléfonos que terminan en {digits}")
        bare = digits == q
        if len(digits) < PHONE_SUFFIX_MIN:
            number = int(digits)
            return Search(q, "folio", Case.folio.in_(_folio_numbers(number, today)),
                          f"folios con número {number:06d} ({_years(today)})")
        if bare and len(digits) <= 6:
            number = int(digits)
            return Search(q, "folio_o_telefono",
                          or_(Case.folio.in_(_folio_numbers(number, today)), _phone_suffix(session, digits)),
                          f"teléfonos que terminan en {digits} y folios con número {number:06d} "
                          f"({_years(today)})")
        return Search(q, "telefono", _phone_suffix(session, digits), f"teléfonos que terminan en {digits}")
    return _words(session, q)


def _words(session: Session, q: str) -> Search:
    words = []
    for word in WORD.findall(fold(q) or ""):
        if (len(word) > 1 or word.isdigit()) and word not in words:
            words.append(word)
    words = words[:MAX_WORDS]
    ignored: list[str] = []
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and words:
        kept = _with_lexemes(session, words)
        ignored = [w for w in words if w not in kept]
        words = kept
    if not words:
        return Search(q, "palabras", false(), f"«{q}» (ninguna palabra que buscar)", ignored)
    if postgres:
        clause = SEARCH_VECTOR.op("@@")(func.to_tsquery(_config(), literal(" & ".join(words))))
    else:
        clause = and_(*[Case.search_text.like(f"%{w}%") for w in words])  # [a-z0-9]: nothing to escape
    listed = " y ".join(f"«{w}»" for w in words)
    where = "en descripción, unidad, concepto, textos del FUR y notas, sin distinguir acentos ni mayúsculas"
    return Search(q, "palabras", clause, f"{listed} {where}", ignored)


def _config():
    return literal_column(f"'{TS_CONFIG}'::regconfig")


def _with_lexemes(session: Session, words: list[str]) -> list[str]:
    """The words the Spanish configuration keeps (stop words such as 'de' or 'sin' match nothing)."""
    row = session.execute(select(*[func.numnode(func.to_tsquery(_config(), literal(w)))
                                   for w in words])).one()
    return [w for w, nodes in zip(words, row, strict=True) if nodes]
