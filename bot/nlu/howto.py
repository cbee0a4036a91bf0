"""A question about how to complain or ask for a reimbursement ("¿cómo pongo una queja?", "¿a
dónde voy a quejarme de un doctor?", "¿por dónde mando las fotos de mis recibos si quiero
reclamar?") asks for information: the bot explains the way (this chat, the folio, the plazo)
and invites the story. A message that already names the unit or the amount is the report."""

from __future__ import annotations

import re

from core.text.fold import fold

from .signals import GREETING_OPENER

_GREETING = GREETING_OPENER + "*"
_ASK = (r"(?:como|donde|a donde|adonde|ante quien|con quien|por donde|x donde|en donde|"
        r"que (?:tengo|tenemos|hay) que hacer para|que hago para|cual es el (?:procedimiento|proceso|tramite) para|"
        r"cual es el (?:procedimiento|proceso|tramite) (?:de|del)|quiero saber como|me pueden decir como|"
        r"me podrian decir como|me dicen como|como le hago (?:para|pa) (?:que|q)?|cuanto tiempo tengo (?:para|pa)|"
        r"(?:que|q) datos me piden (?:para|pa))")
_DO = (r"(?:(?:puedo|podemos|se|me|debo|tengo que|hay que|le|lo)\s+)*(?:(?:ir|voy|vamos) a\s+)?"
       r"(?:poner|pongo|presentar|presento|hacer|hago|levantar|levanto|meter|meto|quejarme|quejo|"
       r"reclamar|reclamo|denunciar|denuncio|pedir|pido|solicitar|solicito|tramitar|tramito|mandar|mando|"
       r"enviar|envio|reportar|reporto|recuperar|recupero|reclamarlo|pedirlo|regresen|devuelvan|dejar|dejo|"
       r"reembolsen)")
_WHAT = (r"(?:queja|quejarme|quejo|reembolso|reclam\w*|denuncia\w*|inconformidad|recibos?|devoluc\w*|mi dinero|"
         r"sugerencia|felicitacion|reporte|reportar|lo (?:que|q) (?:me|nos) cobraron)")
# "¿a dónde llamo si me niegan la atención?", "¿a quién le hablo si me cobran?"
_WHERE_IF_RE = (rf"^{_GREETING}(?:a donde|adonde|donde|a quien|con quien)\s+(?:le\s+)?(?:llamo|hablo|marco|acudo|voy|escribo|"
                r"me quejo|reporto)\s+(?:si|cuando)\s+(?:me|nos|le|les)\s+(?:niegan|cobran|cobraron|negaron|piden)\b")
# "¿si denuncio al doctor me van a dejar de atender?", "¿puedo presentar una queja en nombre de mi
# mamá?", "¿este es el número para reportar cobros?", "¿cuál es la página para poner quejas?"
_ABOUT_COMPLAINING_RE = (
    rf"^{_GREETING}(?:y\s+)?si\s+(?:denuncio|me quejo|pongo\s+(?:una\s+)?queja|reporto|levanto\s+(?:una\s+)?queja)\b"
    r".{0,80}\b(?:me van a|van a|me dejan|represalia\w*|dejar de atender|se enteran|se van a enterar)"
    rf"|^{_GREETING}(?:se\s+)?puedo\s+(?:presentar|poner|hacer|levantar|meter)\s+(?:una\s+)?(?:queja|reporte|denuncia)\s+"
    r"(?:en\s+nombre|por\s+otra|de\s+parte|anonim)"
    rf"|^{_GREETING}(?:este\s+)?es\s+(?:este\s+)?el\s+(?:numero|whats|whatsapp|chat)\s+(?:para|pa|de|donde)\s+"
    r"(?:reportar|quejas?|poner|denunciar|cobros?)"
    rf"|^{_GREETING}(?:cual|cuales)\s+es\s+(?:la\s+pagina|el\s+numero|el\s+telefono|el\s+correo)\b.{{0,30}}\b(?:queja|reporte|reclam)"
    rf"|^{_GREETING}a\s+(?:que|q)\s+numero\s+(?:marco|llamo|hablo)\b.{{0,30}}\bqueja")
HOW_TO_COMPLAIN_RE = re.compile(rf"^{_GREETING}{_ASK}\s+{_DO}\b(?:\s+\S+){{0,6}}?\s*\b{_WHAT}\b"
                                rf"|^{_GREETING}{_ASK}\s+(?:(?:puedo|se|me)\s+)*(?:(?:ir|voy|vamos) a\s+)?{_WHAT}\b"
                                "|" + _WHERE_IF_RE + "|" + _ABOUT_COMPLAINING_RE)


def asks_how_to_complain(text: str | None) -> bool:
    """The message opens by asking how or where to complain or claim money back."""
    return bool(HOW_TO_COMPLAIN_RE.search(fold(text)[:300]))
