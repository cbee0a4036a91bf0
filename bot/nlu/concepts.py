"""Hand-made lexical concepts appended as extra tokens for the word features.

They let the classifier generalise past the exact training vocabulary ("me quitaron 500",
"salio en 800" look like "me cobraron"). Patterns run on normalize_text() output.
"""

from __future__ import annotations

import re

CONCEPTS: dict[str, str] = {
    "pago": r"\bcobr\w*|\bpag(?:ue|o|ar|amos|aron|ando|ado|aba|arle|arles)\b|\bcost(?:o|aron|aba)\b"
    r"|\bsali(?:o|eron) en\b|\$|\bpesos\b|\bvaros\b|\bcuota\b|\breembols\w*|\bdevuelvan\b"
    r"|\bmi dinero\b|\bgast(?:e|amos)\b|\bcompr(?:e|ar|amos|arla|arlo|arlas|arlos)\b"
    r"|\bdeposit(?:e|amos|ar|aron)\b|\bme hicieron (?:pagar|dar|comprar)\b|\bpesitos\b"
    r"|\bcharged?\b|\bpaid\b",
    "numero": r"\b\d+\b",
    "mal_servicio": r"\besper\w*|\bmaltrat\w*|\bgrit\w*|\bgroser\w*|\bnegar\w*|\bnego\b|\bnegaron\b"
    r"|\bno me (?:quisieron |quieren |)(?:atend\w*|recib\w*|dieron|dan)\b|\bno hay\b|\bhoras\b"
    r"|\bmal(?:isimo|isima|o|a)?\b|\bpesim\w*|\bhorrible\b|\bqueja\w*|\bkja\b|\bdenunci\w*"
    r"|\breport(?:o|ar)\b|\bnegligencia\b|\bdiscrimin\w*|\bhumill\w*|\bnunca\b|\bnadie\b"
    r"|\bsucio\w*|\bcerrad\w*|\bcancel\w*|\bno (?:habia|tienen|tiene)\b|\btrat\w* mal\b",
    "cobertura": r"\bcubr\w*|\bcubiert\w*|\bcobertura\b|\bincluid\w*|\bentra en el seguro\b"
    r"|\bes gratis\b|\bson gratis\b|\bgratuit\w*|\bcatalogo\b|\bcauses\b|\bfpgc\b|\bsiglo xxi\b"
    r"|\bcuanto (?:cuesta|cuestan|sale|salen|me (?:cuesta|sale|va a costar|va a salir|cobrarian))\b"
    r"|^(?!.*\b(?:cobr|pague|pagamos|pagar)).*\bgratis\b|\blo paga el seguro\b|\bcon el seguro\b"
    r"|\bentra (?:en el|al) seguro\b|\bcover\w*",
    "enfermedad": r"\bcancer\b|\bdiabet\w*|\bleucemia\b|\bvih\b|\bcirugia\b|\boperacion\b"
    r"|\btratamiento\b|\bquimio\w*|\bhemodialisis\b|\bdialisis\b|\bhepatitis\b|\binfarto\b"
    r"|\bfractura\b|\bparto\b|\bcesarea\b|\bestudio\b|\bultrasonido\b",
    "info": r"\brequisit\w*|\bafili\w*|\brenov\w*|\bpoliza\b|\bvigen\w*|\bdocumentos?\b"
    r"|\bdonde\b|\bhorario\b|\bcomo (?:me|le|se|puedo|saco|hago)\b|\binformacion\b|\bmodulo\b"
    r"|\bderechos?\b|\bconstancia\b|\bbaja\b|\bimss\b|\bissste\b|\bportabilidad\b|\bque es\b"
    r"|\bpapeles\b|\btramit\w*|\bpuedo\b|\bcuando\b"
    r"|\bque (?:hago|debo hacer|tengo que hacer) si\b"
    r"|\bde baja\b|\bpadron\b|\bya no aparezco\b|\bsigo afiliad\w*|\breafili\w*"
    r"|\bdocuments?\b|\brequirements?\b|\benroll\w*|\bsign up\b",
    "plazo": r"\bcuanto (?:tiempo )?(?:tarda\w*|se tarda\w*)\b|\bplazo\w*|\bdias habiles\b"
    r"|\ben cuantos dias\b|\bque pasa (?:despues|cuando)\b|\bproceso\b",
    "datos": r"\bdatos\b|\bprivacidad\b|\bactualiz\w*|\bcambiar mi (?:telefono|numero|domicilio)\b"
    r"|\bpadron\b",
    "otro_tramite": r"\bpasaporte\b|\bvisa\b|\blicencia\b|\bacta de matrimonio\b|\bcurriculum\b"
    r"|\bsemanas cotizadas\b|\bafore\b|\binfonavit\b|\bsat\b|\brfc\b|\bpredial\b|\baguinaldo\w*"
    r"|\bescuela\b|\bprepa\b|\bcfe\b|\bine\b|\bcredencial\b|\bveterinari\w*|\bmascota\b"
    r"|\bacta de nacimiento\b|\bseguro social\b|\bliquid\w*|\bpolicia\b|\bfacebook\b"
    r"|\bcontrasena\b|\bwifi\b|\binternet\b|\bvacaciones\b|\bpelicula\b",
    "seguimiento": r"\bfolio\b|\bsinac\b|\bseguimiento\b|\bestatus\b|\bstatus\b|\bavance\b"
    r"|\brespuesta\b|\brespond\w*|\bcontest\w*|\bcomo va\b|\bque paso con\b|\bnovedad\w*"
    r"|\bresolv\w*|\bmi caso\b|\bmi reporte\b|\bmi queja\b|\bmi tramite\b|\bmi solicitud\b"
    r"|\bcasos?\b|\ben tramite\b|\b(?:puse|meti|hice|levante) (?:una|mi|la) (?:queja|reporte)\b"
    r"|\ben que va\b|\bupdate\b",
    "humano": r"\bpersona\b|\bhumano\b|\basesor\w*|\bagente\b|\boperador\w*|\brobot\b|\bbot\b"
    r"|\bmaquina\w*|\bllam(?:en|e|ar|ame|enme|arme)\b|\bmarc(?:ar|en|quen|arme|quenme)\b"
    r"|\balguien\b|\bsupervisor\b|\bencargado\b|\btelefono\b|\bperson\b|\bhuman\b"
    r"|\bcon quien (?:hablo|me comunico|puedo hablar|me dirijo)\b|\bquien me (?:atiende|ayuda)\b"
    r"|\bpersonal(?:mente)?\b|\bjefe\b|\bresponsable\b|\bcarne y hueso\b|\bllamada\b"
    r"|\bsomeone\b|\bsomebody\b|\bagent\b|\bejecutiv[oa]\b|\btransfier\w*|\bcomuniqu\w* con\b",
    "saludo": r"\bhola\b|\bbuen(?:os|as)? (?:dias|tardes|noches|dia)\b|\bbuenas\b|\bsaludos?\b"
    r"|\bhey\b|\bhi\b|\bhello\b|\bque onda\b|\bque tal\b|\bquiubo\b|\bemojihola\b|\bholis\b"
    r"|\bcomo (?:estas|esta|estan|le va|les va)\b|\bque hubo\b|\bquihubo\b|\bbonit[oa] (?:dia|tarde|noche)\b"
    r"|^alo\b|^bueno\b|\bcon quien tengo el gusto\b|\bmucho gusto\b",
    "despedida": r"\badios\w*|\bbye\b|\bbai+\b|\b(?:despues|luego|al rato|mas tarde) (?:(?:le|te|les) )?(?:sigo|escribo|vuelvo a escribir)\b|\bvuelvo a escribir\b|\bhasta (?:luego|pronto|manana|la proxima|la vista)\b"
    r"|\bnos vemos\b|\bcha[ou]\b|\bciao\b|\bcuid(?:ese|ense|ate)\b|\bme voy\b|\bdespido\b"
    r"|\bes todo\b|\bseria todo\b|\bque (?:le vaya|este|tenga|descanse)\w*\b|\bvidrios\b"
    r"|\btake care\b|\bgood night\b|\bsee you\b|\bxao\b|\bse cuida\b|\bterminar (?:la )?conversacion\b",
    "gracias": r"\bgracias\b|\bagradec\w*|\bamable\b|\bdios se lo pague\b|\bemojigracias\b"
    r"|\bthank\w*",
    "si": r"^(?:si|claro|ok|va|sale|orale|andale|correcto|exacto|dale|perfecto|aja|yes|yep|ss|sisi|sip|sii+)\b"
    r"|\bde acuerdo\b|\basi es\b|\bemojiok\b|(?<!no )\bacepto\b|(?<!no )\bconfirmo\b"
    r"|^(?:cierto|exacto|exactamente|yep|simon|afirmativo|efectivamente|asi mero)\b|\bes cierto\b",
    "no": r"^(?:no|nel|nop|nope|nunca|negativo|tampoco|nah|nanay|nones)(?:\s+\S+){0,4}$|\bpara nada\b|\bemojino\b"
    r"|^nada(?:\s+(?:gracias|mas|de eso|por ahora|por el momento))?$"
    r"|\bolvidalo\b|\bni loca\b|\bde ninguna manera\b|\bincorrect\w*|\bclaro que no\b|\bno acepto\b"
    r"|\bno es correcto\b|\bno esta bien\b"
    r"|\bnada de eso\b|\bdejalo\b|\bno (?:fue|era|es) (?:asi|eso|ese|esa)\b|^eso no\b|\bni al caso\b|\bno quiero (?:poner|registrar|dar)\b",
    "felicitar": r"\bfelicit\w*|\bfelicidades\b|\bexcelente\w*|\breconoc\w*|\bmaravill\w*"
    r"|\bmuy bien\b|\bsuper bien\b|\bbuenisim\w*|\bprofesional\w*|\bangeles?\b|\bmejor(?:es)?\b"
    r"|\bemojifeliz\b|\bemojiaplauso\b|\bsatisfech\w*|\brespetos\b|\bamor\b|\bangel\w*"
    r"|\bcontent[oa]s?\b|\bencant\w*|\bmuy buen[oa]s?\b|\b(?:gran|buen) trabajo\b|\bdedicad\w*"
    r"|\bmuy human[oa]s?\b|\bbravo\b|\bgenial\b|\bde maravilla\b|\bla mejor\b|\bes muy buen[oa]\b"
    r"|\bmuy atent[oa]s?\b|(?<!tengo el )\bgusto\b|\bme gusto\b|\b10 de 10\b|\bsalv\w*"
    r"|\b(?:muy |super |excelente )?buen (?:servicio|trato|trabajo|doctor|medico|personal)\b"
    r"|\baplauso\w*|\brapido y bien\b|\bgreat\b|\bexcellent\b|\bvery kind\b|\bamazing\b"
    r"|\bque bonito (?:trato|servicio)\b|\bse nota el cambio\b|\bmuy limpi[oa]\b",
    "sugerir": r"\bsuger\w*|\bpropon\w*|\bpropuesta\b|\bdeberian\b|\bseria (?:bueno|mejor|util)\b"
    r"|\b(?:estaria|seria) (?:bien|bueno|padre|chido|genial|excelente)\b|\brecomiend\w*|\bojala\b|\bpongan\b"
    r"|(?<!me )\bpodrian\b(?! (?:informar|decir|dar|ayudar|atender|explicar|orientar|pasar|comunicar))"
    r"|\bidea\b|\bme gustaria\b|\bsuggest\w*|\bwould be nice\b|\bshould\b"
    r"|^que (?:haya|pongan|tengan|capaciten|vengan|contraten|den|abran|hagan|mejoren)\b"
    r"|^(?:den|hagan|abran|contraten|capaciten|mejoren) (?:citas|mas|un|una|los|las)\b"
    r"|^(?:que|q) (?:el|la|los|las) (?:\w+ ){1,3}(?:tenga|tengan|haya|ponga|pongan|de|den)\b",
    "otro_tema": r"\bchiste\b|\bprueba \d+\b|\bprobando\b|\bclima\b|\bpartido\b|\bempleo\b|\btrabajo\b|\bvacantes?\b"
    r"|\bdolar\b|(?<!\ba )\bluz\b|\bcfe\b|\bine\b|\bpension\b|\binfonavit\b|\bafore\b|\bnetflix\b"
    r"|\bpelicula\b|\bnovia\b|\bvendo\b|\bpromocion\b|\bpremio\b|\brecarga\b|\bbanco\b"
    r"|\bescuela\b|\bbasura\b|\bbache\b|\breceta de\b|\btarea\b|\bjaja\w*|\bjsjs\w*|\bxd\b"
    r"|\brob[oa]\w*|\bvecin[oa]s?\b|\bmusica\b|\bterreno\b|\bvend\w*|\bcompr(?:ar|o) un\b|\bcuentame\b|\bplati\w*|\baburr\w*|\bnovi[oa]\b|\bvot\w*|\belecciones\b|\bboleto\b|\bcamion\b|\btaxi\b|\brenta\b|\bcurso\b|\bingles\b|\btraduc\w*|\bcancion\b|\btele\b|\bjoke\b|\bweather\b|\bpresta\w*|\bsaldo\b|\bdepositame\b|\bdenuncia\b|\bministerio publico\b|\bregistro civil\b|\bcomo te llamas\b|\bque eres\b|\bcomiste\b"
    r"|\bcuanto es \d|\bcadena\b|\bfiesta\b|\benvio\b|\btenencia\b|\bproducto\b"
    r"|\bkilo\b|\btortillas?\b|\blitro\b|\bgasolina\b|\brefresco\b|\bcerveza\b|\bcelular\b"
    r"|\bpeli\b|\bfree fire\b|\bfortnite\b|\bjugamos\b|\bte amo\b|\bllover\b|\blluvia\b"
    r"|\bok google\b|\boye siri\b|\bpredial\b",
}
_COMPILED = [(name, re.compile(pattern)) for name, pattern in CONCEPTS.items()]


_BY_NAME = dict(_COMPILED)


def has_concept(name: str, norm: str) -> bool:
    """Whether normalised text says concept `name` ("gracias", "saludo", …)."""
    return bool(_BY_NAME[name].search(norm))


def concept_tokens(norm: str) -> str:
    """'me cobraron 350' -> 'me cobraron 350 zzpago zznumero'."""
    extra = [f"zz{name}" for name, rx in _COMPILED if rx.search(norm)]
    return norm + (" " + " ".join(extra) if extra else "")
