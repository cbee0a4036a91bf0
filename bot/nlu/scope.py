"""What is not this service's matter: spam and prize scams, adverts and wrong numbers, questions
about the bot, insults with nothing to act on, another institution's or company's paperwork, an
animal as the patient. Read by bot/nlu/interpret.py before it settles an intent."""

from __future__ import annotations

import re

from core.text.fold import fold as _fold

from .signals import Signals

# prizes and links ("FELICIDADES HAS GANADO UN IPHONE, DA CLIC AQUI bit.ly/…"): spam, whatever
# word of praise or money it carries
_SPAM_RE = re.compile(r"\b(?:has ganado|ganaste|eres el ganador|eres la ganadora|reclama tu premio|"
                      r"da clic|haz clic|dale clic|click aqui|clic aqui|bit ly|gana dinero|"
                      r"credito aprobado|prestamo aprobado|usted gano|gano un premio|gane un premio|"
                      r"(?:ganado|ganaste|gano) (?:un|el) (?:premio|sorteo|iphone|auto|carro)|"
                      r"para cobrar(?:lo)? deposite)\b")
# adverts and wrong numbers: "rento cuarto amueblado, informes aquí", "se solicita ayudante",
# "quién es? no tengo agendado este número"
_AD_RE = re.compile(r"^(?:\W*)(?:rento|se renta|se rentan|vendo|se vende|se venden|se solicita|"
                    r"solicito (?:ayudante|empleada?|personal|chofer)|se traspasa)\b"
                    r"|\b(?:no tengo agendado|numero equivocado|se equivocaron de numero|"
                    r"me equivoque de numero|no conozco (?:a )?ningun seguro|pasenme el pack)\b"
                    # not an affiliate's matter: a seller, the press, a pollster, a job seeker, a
                    # message meant for a friend ("soy vendedor de equipo médico…", "ya llegaste?")
                    r"|\b(?:soy (?:vendedor|vendedora|proveedor|proveedora|reporter[oa]|periodista)|"
                    r"ofrecer(?:les)? (?:nuestros|mis|sus) (?:productos|servicios)|representante de ventas|"
                    r"(?:una|hacer una|para una) entrevista|estamos (?:haciendo|realizando|levantando) una encuesta|"
                    r"busco (?:trabajo|empleo|chamba|jale)|bolsa de trabajo|quiero vender|"
                    r"ya llegaste|te espero en|(?:que|q|k) haces\b|hola guap[oa])\b")
# an animal as the patient: "a qué veterinario lo llevo", "cuánto cobran por vacunar a mi gato"
# (never a bite: "me mordió un perro, ¿me cubren la antirrábica?")
_PET_RE = re.compile(r"\b(?:veterinari\w*|mi (?:perr\w*|gat[oaio]\w*|mascota\w*)|mis (?:perr\w*|gat\w*|"
                     r"mascotas)|(?:la|el) (?:perrit[oa]|gatit[oa])|cachorr\w*)\b")
# a question about the bot itself: "¿eres un robot?", "eres persona o máquina??"
# a wrong number: "¿es la casa de la señora Lupe?", "me equivoqué de número"
_WRONG_NUMBER_RE = re.compile(r"\b(?:es|hablo a|llame a|marque a) (?:la )?casa de\b|\b(?:numero|num) equivocado\b"
                              r"|\bme equivoque de (?:numero|chat|contacto)\b")
_ABOUT_BOT_RE = re.compile(r"^\W*(?:(?:oye|oiga|hola|buenas|buenos dias|buenas tardes|buenas noches)\W+)*"
                           r"(?:eres|es usted|usted es|sos|tu eres)\s+(?:un\s+|una\s+)?"
                           r"(?:robot|bot|maquina|persona|humano|humana|real|ia|inteligencia artificial|"
                           r"contestadora)\b")
_BITE_RE = re.compile(r"\b(?:mordi\w*|mordio|rabia|antirrabic\w*|aranazo|arano)\b")
# another institution's or company's matter, when nothing names Seguro Popular: "cuánto cobra una
# consulta en el Similares", "el recibo de la CFE", "el seguro de mi carro"
_OTHER_HEALTH_RE = re.compile(r"\b(?:imss(?!\s*-?\s*(?:bienestar|prospera|oportunidades|coplamar))|issste|"
                             r"pemex|sedena|semar|similares|hospital militar|naval|"
                             # a private doctor or hospital: "el doctor particular me cobró 800, ¿es mucho?"
                             r"(?:doctor|doctora|medico|medica|consultorio|dentista|ginecolog[oa]|pediatra|"
                             r"clinica|hospital|sanatorio|laboratorio|"
                             r"especialista|psicolog[oa]|nutriolog[oa]|oculista|cardiolog[oa])\s+particular|"
                             r"secretaria de marina|(?:hospital|clinica) de (?:la )?marina|teleton|\bcrit\b|"
                             r"hospital (?:angeles|star medica|christus|san javier|medica sur|abc)|"
                             # private labs and hospitals ("Salud Digna", "el Chopo", "q es privado")
                             r"farmacias? (?:guadalajara|del ahorro|benavides|san pablo)|salud digna|(?:laboratorio|laboratorios|lab) (?:del )?chopo|el chopo|"
                             r"(?:hospital|clinica|sanatorio)\b[^.,]{0,30}\b(?:es|que es|q es) privad[oa])\b")
_NOT_HEALTH_RE = re.compile(r"\b(?:cfe|telmex|seguro (?:de|del) (?:mi |el )?(?:carro|auto|coche|vida|casa|"
                            r"celular)|aseguradora|afore|infonavit|fonacot|sat|predial|tenencia|"
                            r"recibo de (?:la )?luz|recibo del agua|licencia de manejo|izzi|totalplay|"
                            r"megacable|telcel|movistar|at t|el internet|el cable|la tele|"
                            r"la pipa|pipa de agua|pension|pensiones|seguro de desempleo|65 y mas|"
                            r"ruta \d+|transporte publico|microbus|pesero|"
                            r"beca|becas|acta de nacimiento|antecedentes penales|pasaporte|cofepris|"
                            r"(?:que|q) tiempo (?:va a hacer|hara)|va a llover|metlife|gnp|axa|mapfre|"
                            r"seguros monterrey|gastos medicos mayores|seguro de gastos medicos|"
                            r"seguro (?:particular|privado)|registro civil|cobrar(?:me|nos)? (?:el|la) (?:agua|luz|gas)|"
                            r"(?:me|nos) (?:puedes|podrias) prestar|me prestas|cereso|reclusorio|"
                            r"estudiar (?:enfermeria|medicina)|me robaron (?:el|la|mi) (?:celular|cartera|carro|bolsa)|"
                            r"vende droga|secretaria de educacion|feliz cumple\w*|felicidades .{0,25}cumple\w*|"
                            r"fonda|tortilleria|taqueria|una torta|los tacos|restaurante|"
                            r"madres trabajadoras|credencial de discapacidad|"
                            r"(?:pago|apoyo|tarjeta) de (?:prospera|oportunidades)|"
                            r"apoyo para (?:personas con )?discapacidad|"
                            r"(?:me|nos) (?:puede|pueden|podrian) prestar (?:\$ ?)?\d+|prestamos sin buro)\b")
# Seguro Popular's own things, named: the policy, affiliation, its módulo, its gestores
_PROGRAM_WORDS = (r"seguro popular|poliza|(?:re)?afili\w*(?!\s+(?:al|del|en el|ante el)\s+(?:imss|issste))|"
                  r"mao|modulo de afiliacion|gestor|renov\w*|renuev\w*|mis datos")
_OWN_PROGRAM_RE = re.compile(r"\b(?:" + _PROGRAM_WORDS + r"|centro de salud|"
                             r"mi seguro(?! (?:de|del) (?:mi |el )?(?:carro|auto|coche|vida|casa|celular|gastos))|"
                             r"hospital general)\b")


# medical advice, which this channel cannot give: "¿qué le doy?", "¿me puedo tomar el ibuprofeno
# con alcohol?", "consejos para dejar de fumar" (never a question of cost or coverage)
_ADVICE_RE = re.compile(
    r"\b(?:que|q|k)\s+(?:me|le|les|nos)\s+(?:tomo|doy|damos|puedo dar|puedo tomar|recomienda\w*)\b"
    r"|\b(?:me|se)\s+pued\w*\s+tomar\b|\bcon cuant[oa]s?\s+\w+\s+se\b"
    r"|\bque (?:alimentos?|comidas?|remedios?|pastillas?|jarabes?|pomadas?|tes?|ejercicios?)\s+"
    r"(?:es|son|me|le)?\s*(?:buen[oa]s?|sirve\w*|baja\w*|quita\w*|cura\w*|recomienda\w*)\b"
    r"|\bconsejos para\b|\bque dieta\b|\bremedio casero\b"
    # "¿cuáles son los síntomas del dengue?", "me duele… ¿me tomo algo?", "¿qué me pongo?", "¿qué
    # pasa si me tomo dos pastillas?", "¿cómo se cura el empacho?", "¿me pueden recetar algo?"
    r"|\bcuales son los sintomas\b|\bme tomo algo\b|\b(?:que|q|k) (?:me|le) (?:pongo|unto|aplico)\b"
    r"|\b(?:que|q|k) pasa si (?:me |le )?(?:tomo|toma|como|bebo|mezclo)\b"
    r"|\bcomo se (?:cura|quita|trata|previene|contagia)\b|\b(?:me|le) pued\w* recetar\b"
    # "¿con cuántos mg empiezo?", "¿cada cuántas horas?", "¿qué es mejor para bajar de peso?", "¿cómo
    # bajo la fiebre?", "¿qué significa que mi azúcar salió en 280?", "¿es normal que me duela…?",
    # "¿lo dejo dormir?", "¿tomo algo?"
    r"|\bcuant[oa]s? (?:mg|miligramos|ml|mililitros|gotas|cucharadas|tabletas|pastillas) (?:de \w+ )?"
    r"(?:le |me )?(?:doy|tomo|empiezo|le pongo)\b"
    r"|\b(?:se|le) pued\w* (?:dar|tomar) (?:el |la )?\w+ (?:a|en) (?:una? |mi )?(?:embarazad\w*|lactancia|"
    r"bebe\w*|nin[oa]s?|recien nacid\w*)"
    r"|\b(?:que|q|k) dosis\b|\bcada cuant[oa]s? horas\b|\b(?:que|q|k) es mejor (?:para|pa)\b"
    r"|\bcomo (?:le )?(?:bajo|quito|curo|controlo|alivio|calmo) (?:la |el |los |las |mi |su )?"
    r"(?:fiebre|calentura|tos|dolor|presion|azucar|glucosa|colesterol|trigliceridos|peso|panza|gripa|"
    r"diarrea|vomito|comezon|inflamacion|hinchazon|ansiedad|insomnio)\b"
    r"|\b(?:que|q|k) significa (?:que|q|k)?\b.{0,50}\b(?:sali\w*|resultados?)\b"
    r"|\bes normal (?:que|q|k) (?:me|le|mi|a mi)\b.{0,40}\b(?:duel\w*|duela|sangr\w*|arda|pique|salga\w*|"
    r"hinch\w*|inflam\w*|fiebre|calentura|mareo\w*|vomit\w*|sient\w*)"
    r"|\b(?:lo|la) dejo dormir\b|\btomo algo\b"
    # a result read back: "salió en 6.2, ¿qué significa?", "leucocitos altos, ¿es infección?",
    # "hemoglobina de 10.5, ¿eso es anemia?", "me salió una bolita en el brazo, ¿es normal?"
    r"|\b(?:sali\w*|resultados?)\b.{0,60}\b(?:que|q|k) significa\b"
    r"|\b(?:hemoglobina|glucosa|azucar|colesterol|trigliceridos|leucocitos|plaquetas|antigeno|orina|"
    r"resultados?|analisis|(?:me|le) sali\w* (?:una?|unas|unos) \w+)\b.{0,60}"
    r"\b(?:es|eso es|sera|estara)\s+(?:normal|grave|malo|peligroso|anemia|infeccion|diabetes|alto|bajo|mucho|poco)\b"
    r"|\b(?:tarda|tardan) en hacer efecto\b"
    # "¿puedo tomar café?", "¿cuánto tiempo se debe tomar?", "¿es adictiva?", "¿qué antibiótico compro?",
    # "¿cada cuánto tengo que ir al dentista?"
    r"|\bpuedo (?:tomar|comer|beber)\b|\bcuanto tiempo (?:se debe|debo|tengo que|hay que) tomar\b"
    r"|\bes adictiv\w*|\b(?:que|q|k) (?:antibiotico|pastilla|medicina|medicamento|jarabe) (?:compro|tomo|le doy)\b"
    r"|\bcada cuanto (?:tengo|debo|hay) que\b")
_COST_OR_COVER_RE = re.compile(r"\b(?:cubre\w*|cubierto|gratis|cobr\w*|cost\w*|pag\w*|seguro popular|"
                               r"poliza|me dan|surten|surtir|"
                               # the program's paperwork: "¿qué hacen con los datos que les doy?"
                               r"datos|documentos|papeles|curp|ine|(?:re)?afili\w*|renov\w*|vigencia)\b")


def asks_advice(text: str | None) -> bool:
    """A request for medical advice with nothing about cost or coverage in it."""
    k = _fold(text)
    return bool(_ADVICE_RE.search(k)) and not _COST_OR_COVER_RE.search(k)


def other_institution(text: str | None) -> bool:
    """Another health institution's care (IMSS, ISSSTE, Pemex, Sedena) and nothing of Seguro
    Popular: its own channels answer, this one cannot reimburse or turn it to an enlace."""
    return _institution_only(_fold_unaffiliated(text))


# sent or driven out to another place by the program's unit: "me mandaron al Chopo", "no había
# amoxicilina y la compré en Similares" (the charge is the unit's, wherever it was paid)
_SENT_OUT_RE = re.compile(r"\b(?:me|nos|le|les|lo|la)\s+(?:mandaron|enviaron|refirieron|canalizaron|mando|envio)\b"
                          r"|\bno (?:\w+ )?(?:habia|hay|tenian|tienen|tenia)\b.{0,60}\bcompr\w+"
                          r"|\b(?:tuve|tuvimos) (?:que|q|k) compr\w+|\b(?:la|lo|las|los) compr(?:e|amos)\b")


def _institution_only(k: str) -> bool:
    return bool(_OTHER_HEALTH_RE.search(k)) and not _OWN_PROGRAM_RE.search(k) and not _SENT_OUT_RE.search(k)


_PROGRAM_THINGS_RE = re.compile(r"\b(?:" + _PROGRAM_WORDS + r"|siglo xxi)\b")


def names_own_program(text: str | None) -> bool:
    """The message names Seguro Popular's own things (the policy, affiliation, its módulo) and
    no other institution's or company's."""
    k = _fold(text)
    return bool(_PROGRAM_THINGS_RE.search(k)) and not _NOT_HEALTH_RE.search(k) \
        and not _OTHER_HEALTH_RE.search(k)


# "no tengo seguro popular": the program named only to say the person has none
_NOT_AFFILIATED_RE = re.compile(r"\bno (?:tengo|tenemos|cuento con|contamos con) (?:el )?seguro popular\b")


def _fold_unaffiliated(text: str | None) -> str:
    return _NOT_AFFILIATED_RE.sub(" ", _fold(text))


def other_matter(text: str | None, *, sure: bool = False) -> bool:
    """Spam, or another institution's or company's matter with nothing of Seguro Popular in it;
    `sure`: only what no reading could make ours (spam, bills, car insurance), not another
    health institution (an affiliate may have been sent to one)."""
    k = _fold_unaffiliated(text)
    if _SPAM_RE.search(k) or _AD_RE.search(k) or insult_only(k) or _WRONG_NUMBER_RE.search(k):
        return True
    if _ABOUT_BOT_RE.search(k) and not Signals.read(text).asks_human:
        return True  # "¿eres un robot? quiero hablar con una persona" asks for the person
    if _OWN_PROGRAM_RE.search(k):
        return False
    if _PET_RE.search(k) and not _BITE_RE.search(k):
        return True
    return bool(_NOT_HEALTH_RE.search(k)) or (not sure and _institution_only(k))


_INSULT_RE = re.compile(r"(?:pendej\w*|idiota\w*|estupid\w*|imbecil\w*|mens[oa]s?|babos[oa]s?|"
                        r"inutil(?:es)?|ratas?|rateros?|chinguen|chingen|chinga\w*|verga|alv|ptm|hdp|"
                        r"put[oa]s?|culer[oa]s?|pinches?|mierda|cabron\w*|mamones|ojetes?|naco?s?|"
                        r"lacras?|buenos para nada|vayanse|al carajo)")
_INSULT_FILLER = frozenset({"ya", "no", "son", "unos", "unas", "bola", "de", "todos", "ustedes", "que",
                            "del", "gobierno", "politicos", "pura", "puros", "puro",
                            "a", "la", "el", "los", "bien", "y", "muy", "tan", "eres", "es",
                            "me", "nos", "su", "sus", "madre", "vayan", "se", "por", "bot", "robot",
                            "sirven", "sirve", "para", "nada"})


def insult_only(k: str) -> bool:
    """'pendejos', 'ya no chinguen', 'bola de inútiles': an insult with nothing to act on."""
    words = k.split()
    insults = [w for w in words if _INSULT_RE.fullmatch(w)]
    return bool(insults) and all(w in _INSULT_FILLER or _INSULT_RE.fullmatch(w) for w in words)
