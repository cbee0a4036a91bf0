"""Confidential reports: the affiliate asks that the unit not learn who they are
(docs/confidential.md). The rule of who sees the identity lives in core/access.py
(`sees_identity`); this module recognises the request in the affiliate's words.

Conservative by design: a phrase that clearly asks to withhold the name or identity, or the word
«confidencial» / «anónimo». A false positive only hides a name from the unit (Vinculación still
sees it); a false negative would reveal it, so the phrases are broad within that meaning.
"""

from __future__ import annotations

import re

from core.text.fold import fold

HIDDEN = "Confidencial"  # what everyone but Vinculación sees in place of the name, phone, CURP

_VERB = (r"(?:sepan|sepa|conozcan|conozca|enteren|entere|digan|diga|revelen|revele|vean|vea|pongan|ponga|"
         r"aparezca|salga|mencionen|mencione|publiquen|den\s+a\s+conocer)")
_WHO = r"(?:mi\s+nombre|mis\s+datos|mi\s+identidad|quien\s+soy|quien\s+fue|que\s+fui\s+yo|que\s+soy\s+yo)"
_ASKS = re.compile(
    r"\b(?:"
    r"confidencial(?:es|idad)?|anonim[oa]s?|anonimato"
    rf"|no(?:\s+\w+){{0,6}}?\s+(?:se\s+)?{_VERB}(?:\s+\w+){{0,4}}?\s+{_WHO}"
    r"|(?:sin|no\s+quiero\s+dar|no\s+den|no\s+pongan)\s+mi\s+nombre"
    r"|(?:reservar|ocultar|proteger|cuidar|guardar|reserven|oculten|protejan|cuiden)\s+(?:mi\s+)?(?:nombre|identidad|datos)"
    r"|miedo\s+(?:a|de)\s+(?:las\s+)?(?:represalias|que\s+se\s+enteren)"
    r")\b"
)


def asks_confidentiality(text: str | None) -> bool:
    """«que no sepan mi nombre», «no quiero que la clínica sepa quién soy», «es confidencial»."""
    return bool(_ASKS.search(fold(text or "")))


# "¿no me van a dejar de atender si se enteran que me quejé?", "me da miedo que me traten peor"
_FEARS = re.compile(
    r"\b(?:represalia\w*|se (?:van a )?enter(?:an|en|aran)|dejar de atender(?:me|nos)?"
    r"|(?:me|nos) (?:van a )?(?:trat(?:en|ar|aran) (?:peor|mal)|neg(?:ar|aran|uen) la atencion)"
    r"|(?:me|nos) (?:van a )?(?:dejar|dejen) de atender|miedo (?:a|de) que)\b")


def fears_reprisal(text: str | None) -> bool:
    """A person afraid the unit will learn of the report and treat them worse."""
    return bool(_FEARS.search(fold(text or "")))
