"""What money a message says was taken, never owed or never charged: the reading of a charge
that the interpretation (bot/nlu/interpret.py) and the dialogue's retyping both ask, so a
charge is recognised one way everywhere."""

from __future__ import annotations

import re

from core.text.fold import fold as _fold


def fold(text: str | None) -> str:
    """The shared fold, keeping "?" (a question mark tells a question)."""
    return _fold(text, keep="?")


# Money taken from the affiliate, said any way ("me hicieron pagar", "tuve que poner 300", "nos
# pidieron una garantía", "no le daban el alta hasta que liquidáramos", "nos mandaron a comprar
# el material"): a charge, whatever word the person announced.
# an amount said in words ("le exigieron ochocientos pesos")
_FIGURE_WORD = (r"(?:(?:dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|quince|veinte|treinta|cuarenta|"
                r"cincuenta|sesenta|setenta|ochenta|noventa|cien|ciento|doscientos|trescientos|"
                r"cuatrocientos|quinientos|seiscientos|setecientos|ochocientos|novecientos|mil)"
                r"\s+(?:\w+\s+){0,3}?(?:pesos|mil|varos|baros)\b|mil\b)")
# what follows a sum set as the condition of care: "(sin los 500) no me daban la referencia"
CONDITION_AFTER = (r"(?:pesos\s+)?no\s+(?:me|nos|le|les|lo|la)\s+(?:daban|dan|dieron|atendian|atienden|"
                   r"dejaban|entregaban|pasaban|recibian|operaban)\b")
_CHARGE_RE = re.compile(
    r"(?<!van a )(?<!va a )\b(?:(?:me|nos|le|les|te)\s+)?cobr(?:aron|aban|o|an|ando|aria|ar)\b"
    r"(?!\s+(?:nada|ni))"
    r"|\b(?:hicieron|hacen|hizo|obligaron a|tuve (?:que|q|k)|tuvimos (?:que|q|k)|toco)\s+(?:(?:la|lo|las|los)\s+)?"
    r"(?:pagar|poner|soltar|dar|dejar|depositar|comprar|firmar|liquidar)"
    r"|\bpag(?:ue|amos|aron|o)\s+(?:el|la|los|las|por|de|\$?\d)"
    r"|\b(?:pidieron|pedian|piden|pidio|exigieron|exigian)\s+(?:una?\s+)?"
    r"(?:\$?\d|deposito|garantia|cuota|cooperacion|aportacion|pagare|dinero|lana|feria|" + _FIGURE_WORD + ")"
    r"|\b(?:deposito|garantia|pagare|cuota de recuperacion|aportacion|cooperacion)\b.{0,40}\b\d"
    # "o pagas 600 o no te atienden": a price set as the condition of care
    r"|\bo\s+(?:pagas|pagan|paga|pagues|paguen|depositas|dejas|das)\s+(?:\$?\d|los|las|el|la)"
    # "compramos el jarabe en 190", "compré 2 cajas en 300": what was missing, bought for a price
    r"|\bcompr(?:e|amos|aron)\s+(?:\w+\s+){0,4}?(?:en|por)\s+\$?\d"
    # "sin los 500 no me daban la referencia": a sum set as the condition
    r"|\bsin\s+(?:los|las|sus|esos)?\s*\$?\d[\d,.]*\s+" + CONDITION_AFTER
    + r"|\b(?:hasta que|si no)\s+(?:pagas|pagan|pagara|pagaramos|pague|pagaba|dejaba|dejara|depositara|"
    r"liquidara|liquidaramos|liquidaba|liquide)"
    r"|\b(?:mandaron|mandan|hicieron|dijeron que)\s+(?:a\s+)?compr(?:ar|aramos|ara)\b"
    r"|\b(?:llevo|llevamos|tengo|tenemos|sigo|seguimos)\s+(?:\w+\s+){0,3}comprando"
    r"|\bque (?:yo |nosotros )?(?:la|lo|las|los) compr(?:e|o|ara|emos|amos|aramos)\b"
    r"|\b(?:me|nos|le|les)\s+(?:(?:la|lo|las|los)\s+)?vend(?:ieron|io|ian|en)\b"
    r"|\b(?:la|lo|las|los) (?:tuve (?:que|q|k) |tuvimos (?:que|q|k) )?compr(?:e|amos|ar)(?:\s+"
    r"(?:en|afuera|aparte|por fuera|con|yo)\b|\s*$)"
    r"|\b(?:la|lo|las|los) (?:tuve|tuvimos) (?:que|q|k) compr(?:ar|arla|arlo)\b"
    r"|\b(?:pidieron|pedian|piden|pidio|dijeron|mandaron)\s+(?:que\s+)?(?:a\s+)?"
    r"compr(?:ar|aramos|ara)\b"
    r"|\b(?:deje|dejamos|deposite|depositamos|solte|soltamos)\s+(?:\$?\d|como|mas de|casi)"
    r"|\b(?:pidieron|pedian|piden|pidio|exigieron|exigian|exigen)\s+(?:que\s+)?(?:dejar|dejara|dejaramos|"
    r"depositar|depositara|pagar|pagara|pagaramos|dar|diera|poner|pusiera)\s+(?:una?\s+)?"
    r"(?:\$?\d|deposito|garantia|anticipo|como|mas de|casi)"
    r"|\b(?:pidieron|pedian|piden|pidio|exigieron|exigian)\s+(?:un\s+)?billete"
    r"|\b(?:pidieron|pedian|piden|pidio)\s+(?:\w+\s+){0,2}para\s+(?:la\s+)?gasolina\b"
    r"|\b(?:dejar|dar|poner)\s+(?:un|una)\s+(?:donativo|donacion|cooperacion|aportacion)\b"
    r"|\b(?:obligaron|hicieron)\s+a\s+rentar\b|\brenta\s+de\s+\w+.{0,30}\d"
    # "me bajaron 400", "1500 varos me sacaron x la cesárea": money taken, said in slang
    r"|\b(?:me|nos|le|les)\s+(?:sacaron|bajaron|quitaron|volaron|clavaron)\s+(?:\$?\d|como|mas de|casi)"
    r"|\d\s*(?:mil\s+)?(?:pesos|varos|baros|bolas)?\s+(?:me|nos|le|les)\s+(?:sacaron|bajaron|quitaron|"
    r"volaron|clavaron)\b"
    r"|\bgast(?:e|amos)\s+(?:\$?\d|como|mas de|casi)"
    r"(?!.{0,30}\b(?:pasaje|pasajes|camion|taxi|uber|combi|transporte|gasolina|comida|hotel)\b)"
)


# "nunca nos cobraron nada", "sin costo", "no pagamos ni un peso": care that cost nothing, told
# in praise far more often than in a report of money taken
_NO_CHARGE_RE = re.compile(
    r"\b(?:nunca|no|ni|jamas)\s+(?:nos|me|m|le|les)?\s*(?:cobraron|cobro|cobran|pagamos|pague|pagaron|"
    r"pidieron)\b|\bsin (?:costo|cobrar\w*|pagar)\b|\bgratis\b|\bni un peso\b")


# "me los regresaron el mismo día", "al final no pagué nada", "no tenía y no me atendieron":
# no money is owed back, what is left to report is how the person was treated
_NOT_OWED_RE = re.compile(
    r"(?<!no )(?<!nunca )(?<!jamas )(?<!ni )\b(?:me|nos|le|les)\s+(?:lo|la|los|las)\s+"
    r"(?:regresaron|devolvieron|reembolsaron)\b"
    r"|(?<!no )\bya\s+(?:me|nos|le|les)\s+(?:regresaron|devolvieron|reembolsaron)\b"
    r"|\b(?:al final|total que|y)\s+no\s+(?:les\s+)?(?:pague|pagamos|pago|pagaron)\b"
    r"|^no\s+(?:les\s+)?(?:pague|pagamos)\b"
    # "me pidió una cooperación… no se la di": asked for, never given
    r"|\bno\s+(?:se\s+)?(?:la|lo|los|las)\s+(?:di|dimos|quise dar|quisimos dar)\b"
    # "me mandaron a comprar… yo no compré nada, mejor me fui": sent to buy, bought nothing
    r"|\bno\s+(?:(?:lo|la|los|las)\s+)?(?:compre|compramos)\s+nada\b"
    r"|\bno\s+(?:lo|la|los|las)\s+(?:he|e|hemos)\s+comprado\b"
    r"|\bno\s+(?:tenia|teniamos|traia|traiamos|llevaba)\b.{0,40}\bno\s+(?:me|m|nos|lo|la|le)\s+atend"
    # "no los he pagado, no tengo ese dinero", "no hemos pagado nada todavía", "no los traía y
    # me fui sin consulta": asked for, never paid
    r"|\bno\s+(?:(?:lo|la|los|las|les)\s+)?(?:he|hemos|han)\s+pagado\b"
    r"|\bno\s+(?:(?:lo|la|los|las)\s+)?(?:tenia|teniamos|traia|traiamos|tengo|tenemos)\b.{0,40}"
    r"\b(?:me fui|nos fuimos|me regrese|nos regresamos|sin (?:consulta|atencion|operar\w*)|"
    r"no me (?:han |an )?(?:operado|operaron|atendido|atendieron))")


def not_owed(text: str | None) -> bool:
    """The money was never paid, or was given back: nothing to reimburse."""
    return bool(_NOT_OWED_RE.search(fold(text)[:600]))


# "…y según es gratis", "no que era gratis": free as it should have been, not as it was
_SHOULD_BE_FREE_RE = re.compile(r"\b(?:segun|se supone|supuestamente|no (?:que|q)|y eso (?:que|q|k)|"
                                r"siendo (?:que|q)|(?:que|q) no (?:que|q)|si (?:es|era)|deberia ser|"
                                r"tendria que ser|(?:que|q) (?:todo )?(?:era|eran|seria|sea))\b\W*(?:\w+\W+){0,3}gratis")


def no_charge(text: str | None) -> bool:
    """Says that nothing was charged, and tells of no money taken."""
    k = fold(text)[:600]
    return bool(_NO_CHARGE_RE.search(k)) and not describes_charge(text) \
        and not _SHOULD_BE_FREE_RE.search(k)


_NEGATION_BEFORE_RE = re.compile(r"\b(?:no|nunca|ni|jamas)\s+(?:(?:me|nos|le|les|te)\s+)?$")


def describes_charge(text: str | None) -> bool:
    """Money taken from the affiliate, said any way; "no me cobraron, no lo quisieron ni ver"
    is not."""
    k = fold(text)[:600]
    return any(not _NEGATION_BEFORE_RE.search(k[max(0, m.start() - 14):m.start()])
               for m in _CHARGE_RE.finditer(k))


# "¿me cobran el ultrasonido?", "cuánto me cobran por la cesárea", "¿tiene costo?": a question
# about a charge that has not happened is a coverage question (DOMAIN.md §9)...
_COST_QUESTION_RE = re.compile(
    r"\b(?:me|nos|le|les|te)?\s*(?:cobran|cobrarian|cobraran|van a cobrar|tienen que cobrar|"
    r"pueden cobrar|deben cobrar)\b|\bcuanto (?:cuesta|me cuesta|sale|cobran|me cobran)\b|"
    r"\btiene(?:n)? (?:algun )?costo\b|\bsin (?:pagar|costo)\b|\bes gratis\b|\bson gratis\b|"
    r"\bse paga\b|\bhay que pagar\b|\btengo que pagar\b")
# ...unless money was already taken
_PAST_CHARGE_RE = re.compile(
    r"\b(?:cobraron|cobro|pague|pagamos|pagaron|pagar|gaste|gastamos|pidieron|compre|compramos|"
    r"tuve que|tuvimos que|deposite|dimos|di)\b")


# "¿por qué me cobran 20 pesos de la credencial?", "me cobran 300 al mes": a charge being made
_CHARGING_NOW_RE = re.compile(r"\b(?:xq|pq|por que|porque)\s+(?:me|nos|le|les)\s+cobran\b"
                              r"|\b(?:me|nos|le|les)\s+cobran\s+\$?\d")


def asks_cost(text: str) -> bool:
    """A question about what something costs or whether it is charged, before any money was
    taken (DOMAIN.md §9: a coverage question)."""
    k = fold(text)
    if not _COST_QUESTION_RE.search(k) or _PAST_CHARGE_RE.search(k) or _CHARGING_NOW_RE.search(k):
        return False
    return "?" in text or "¿" in text or k.startswith(("cuanto", "me cobran"))
