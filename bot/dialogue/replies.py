"""Every text the bot says, in one place (Spanish of Mexico, tú, short enough for SMS)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from core.enums import TIPO_LABELS

# The tipo as the affiliate reads it: the same words as the back office (core/enums.py).
TIPO_NOMBRE = {str(tipo.value): label for tipo, label in TIPO_LABELS.items()}

MENU = (
    "¿En qué te ayudo? Responde con un número:\n"
    "1 Queja\n"
    "2 Me cobraron\n"
    "3 ¿Me lo cubren?\n"
    "4 Información\n"
    "5 Mi folio\n"
    "6 Hablar con una persona"
)


def greeting_first(privacy_url: str) -> str:
    return (
        "¡Hola! Soy el asistente de Atención Ciudadana del Seguro Popular. "
        f"Cuidamos tus datos según nuestro aviso de privacidad: {privacy_url}"
    )


GREETING_AGAIN = "¡Hola de nuevo!"
HOLA = "¡Hola!"
MENU_HINT = "Escribe MENÚ para ver las opciones."
DONE = "¡Gracias por escribirnos! Aquí estoy cuando me necesites."
START_OVER = "Listo, empezamos de nuevo."
GOODBYE = "¡Hasta pronto! Aquí estoy cuando me necesites."
THANKS = "¡Con gusto! Si necesitas algo más, aquí estoy. " + MENU_HINT
OUT_OF_SCOPE = ("Solo puedo ayudarte con temas del Seguro Popular: quejas, cobros, cobertura, "
                "información y folios.")
# Thoughts of suicide or self-harm (bot/nlu/signals.py in_crisis): where to get help now, first.
CRISIS = ("Lamento mucho que estés pasando por esto; no tienes que enfrentarlo sola ni solo. "
          "Si tú o alguien cercano está en peligro ahora, llama al 911. La Línea de la Vida "
          "atiende gratis y a toda hora: 800 911 2000. Si quieres, escribe 6 y una persona de "
          "Atención Ciudadana te contacta.")
NOT_UNDERSTOOD = "Perdón, no te entendí."
NOT_UNDERSTOOD_AGAIN = ("Sigo sin entenderte, perdón. Escribe 6 y una persona te atiende, "
                        "o elige una opción del menú.")
EMPTY = "No recibí texto en tu mensaje."
TOO_LONG = "Recibí tu mensaje largo; lo guardo completo."


def place_noted(lugar: str) -> str:
    """A message that only names a place: kept for the report that follows."""
    return f"Anoté: {lugar}. Cuéntame qué pasó ahí, o elige una opción."


# --- forms --------------------------------------------------------------------------------

ASK_DESCRIPTION = {
    "queja": "Cuéntame qué pasó: dónde fue, cuándo y qué te negaron o cómo te trataron.",
    "cobro_injustificado": "Cuéntame qué te cobraron (consulta, medicina, estudio…), cuánto y en qué unidad.",
    "sugerencia": "Cuéntame tu sugerencia y a qué unidad o servicio se refiere.",
    "felicitacion": "¡Qué gusto! Cuéntame a quién o a qué unidad quieres felicitar y por qué.",
    "solicitud_informacion": "Escribe tu pregunta y la enviamos a un asesor de tu estado.",
}
ASK_ESTADO = "¿En qué estado pasó? Escribe el nombre, por ejemplo: Jalisco."
ASK_ESTADO_UNIDAD = ("¿En qué estado y en qué clínica u hospital pasó? "
                     "Por ejemplo: Hospital General de Tlaxcala.")
UNIDAD_UNKNOWN = "sin indicar (si la sabes, escríbela)"
ASK_ESTADO_AGAIN = ("No reconocí el estado. Escríbelo completo, por ejemplo: Puebla o Ciudad de México. "
                    "Si no lo sabes, escribe el estado donde vives.")
def ask_estado_between(town: str, estados: list[str]) -> str:
    return (f"¿{town} de {estados[0]} o de {estados[1]}? Escribe el estado "
            "(o SÍ si es el primero).")


ASK_ESTADO_INFO = "¿En qué estado vives? Así tu pregunta llega a la oficina correcta. Ej.: Oaxaca."
ASK_MONTO = "¿Cuánto te cobraron? Escribe solo la cantidad en pesos, por ejemplo: 350."
ASK_MONTO_AGAIN = "No entendí la cantidad. Escribe solo el número en pesos, aunque sea aproximado. Ej.: 500."
ASK_DESCRIPTION_AGAIN = ("Cuéntame con tus palabras qué pasó: qué te negaron o cobraron, dónde y cuándo "
                         "(aunque no recuerdes todo). Si ya no quieres seguir, escribe MENÚ.")
FORM_CANCELLED = "Listo, cancelé tu reporte: no registré nada."
RESUME_PREFIX = "Sigamos con tu reporte."
MEDIA_KEPT_FORM = "Recibí tu archivo y lo guardaré con tu reporte."
CONFIRM_QUESTION = "¿Registramos tu reporte así? Responde SI o NO"
ASK_WHAT_TO_FIX = ("¿Qué corregimos? Escribe el dato correcto (ej.: «es Puebla» o «fueron 3500»), "
                   "o CANCELAR si prefieres no registrarlo.")
CONFIRM_HELP = ("Responde SI para registrarlo o CANCELAR para no registrarlo. Si algo está mal, escribe el "
                "dato correcto (ej.: «es Puebla» o «fueron 3500»).")
ADDED_TO_DESCRIPTION = "Lo agregué a tu reporte."
FOLIO_AFTER_CONFIRM = "Te doy tu folio en cuanto registremos el reporte."
QUESTION_AT_CONFIRM = ("Al registrarlo te doy tu folio y la fecha límite para que el enlace de tu "
                       "estado te responda; te avisaremos por aquí.")
REPRISAL_AT_CONFIRM = ("Nadie puede negarte la atención por presentar un reporte. Si prefieres que la "
                       "unidad y el estado no sepan tu nombre, responde «sí, confidencial».")
REGISTER_FAILED = "No pude registrar tu reporte en este momento. Inténtalo en unos minutos o escribe 6."


def consent_line(privacy_url: str) -> str:
    return f"Al confirmar aceptas que usemos estos datos, incluidos los de salud, solo para atender tu caso ({privacy_url})."


def money(value) -> str:
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"${int(amount):,}"
    return f"${amount:,.2f}"


def fecha(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_CURP_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{4}\d{6}[HMXhmx][A-Za-z]{5}[A-Za-z0-9]\d(?![A-Za-z0-9])")


def _mask_curp(text: str) -> str:
    """A CURP the affiliate typed is not echoed back in clear (DOMAIN.md §11)."""
    return _CURP_IN_TEXT.sub(lambda m: m.group(0)[:4].upper() + "*" * 12 + m.group(0)[-2:].upper(), text or "")


# reports the enlace must take to a unit: the summary asks for it when nobody said where
ASKS_WHERE = frozenset({"queja", "cobro_injustificado"})


def summary(tipo: str, slots: dict, estado_nombre: str | None, privacy_url: str, *,
            short: bool = False) -> list[str]:
    """Two messages: the report as understood, then the consent and the SI/NO question (each
    fits one WhatsApp bubble or one SMS of at most two segments)."""
    lines = ["Revisa tu reporte:", f"• Tipo: {TIPO_NOMBRE.get(tipo, tipo)}"]
    if estado_nombre:
        lines.append(f"• Estado: {estado_nombre}")
    if slots.get("monto") is not None:
        detalle = f" ({clip(slots['monto_detalle'], 60)})" if slots.get("monto_detalle") else ""
        lines.append(f"• Monto: {money(slots['monto'])}{detalle}")
    if slots.get("concepto"):
        lines.append(f"• Concepto: {clip(slots['concepto'], 40)}")
    if slots.get("unidad"):
        lines.append(f"• Unidad: {clip(slots['unidad'], 40 if short else 60)}")
    elif tipo in ASKS_WHERE:
        lines.append(f"• Unidad: {UNIDAD_UNKNOWN}")
    if slots.get("fecha"):
        lines.append(f"• Fecha: {clip(slots['fecha'], 30)}")
    lines.append(f"• Qué pasó: {clip(_mask_curp(slots.get('description', '')), 90 if short else 140)}")
    return ["\n".join(lines), f"{consent_line(privacy_url)}\n{CONFIRM_QUESTION}"]


def registered(folio: str, due: date | None) -> str:
    if due is None:
        return f"¡Listo! Registramos tu reporte con el folio {folio}. Te avisaremos por aquí."
    return (f"¡Listo! Registramos tu reporte con el folio {folio}. Tendrás respuesta a más tardar "
            f"el {fecha(due)}. Guarda tu folio.")


def registered_info(folio: str, due: date | None) -> str:
    tail = f" Te responderemos a más tardar el {fecha(due)}." if due else " Te responderemos por aquí."
    return f"Enviamos tu pregunta a un asesor con el folio {folio}.{tail}"


def follow_code(code: str, base_url: str, *, confidential: bool) -> str:
    """The public follow page's code, said once right after registration (core.follow)."""
    from core.follow import display

    text = (f"Tu código de seguimiento es {display(code)}. Con tu folio y este código puedes ver en qué va "
            f"tu reporte en {base_url}/seguimiento. Guárdalo y no lo compartas.")
    if confidential:
        text += (" Registramos tu reporte como confidencial: la unidad médica y el estado no sabrán tu nombre "
                 "ni tu teléfono.")
    return text


def own_affiliation(result) -> str:
    """The padrón's answer (core/padron/answer.py): the vigencia only to the phone on file."""
    if result.outcome == "confirmado":
        if result.vigente:
            return f"Tu afiliación al Seguro Popular está vigente hasta el {fecha(result.vigencia)}."
        return (f"Tu afiliación al Seguro Popular venció el {fecha(result.vigencia)}. Para renovarla acude a tu "
                "Módulo de Afiliación y Orientación (MAO) con tu póliza y una identificación.")
    if result.outcome == "no_disponible":
        return "En este momento no puedo consultar el padrón. Inténtalo más tarde o acude a tu Módulo de Afiliación."
    return ("Por seguridad, solo confirmo la vigencia cuando escribes desde el teléfono registrado en tu póliza. "
            "Puedes consultarla en tu Módulo de Afiliación y Orientación (MAO) con tu póliza o tu CURP.")


REEMBOLSO = (
    "Sobre tu cobro: guarda tus recibos o comprobantes de pago (puedes enviarnos una foto aquí). "
    "El enlace del Seguro Popular de tu estado te contactará para gestionar tu reembolso."
)

# --- coverage -----------------------------------------------------------------------------

COVERED_BUT_CHARGED = "Como te lo cobraron, es un cobro injustificado: registremos tu reporte para pedir tu reembolso."
ASK_COVERAGE = ("¿Qué padecimiento, estudio, operación o medicamento quieres consultar? "
                "Ej.: diabetes, parto, ultrasonido.")
COVERAGE_OPTION_UNKNOWN = "Elige una opción con su número, o escribe tu pregunta con otras palabras."

# --- information --------------------------------------------------------------------------


def info_menu(titles: list[str]) -> str:
    listed = "\n".join(f"{i} {t}" for i, t in enumerate(titles, start=1))
    return f"¿Sobre qué tema? Responde con un número o escribe tu pregunta:\n{listed}"


INFO_UNKNOWN = ("No tengo una respuesta segura a eso. Escribe 4 para enviar tu pregunta a un asesor "
                "(te responde por aquí) o 6 para hablar con una persona.")
INFO_MORE = "¿Algo más? " + MENU_HINT

# --- folio status -------------------------------------------------------------------------

FOLIO_NOT_FOUND = "No encontré ese folio entre tus reportes. Revisa el número (ej.: SINAC-2026-000123)."
NO_OPEN_CASES = ("No tienes reportes abiertos desde este teléfono. Si tienes un folio, escríbelo "
                 "(ej.: SINAC-2026-000123).")
ASK_FOLIO = "Escribe tu folio (ej.: SINAC-2026-000123) para ver el detalle."
NO_FOLIO = ("Sin folio solo puedo mostrarte los reportes hechos desde este teléfono. Si lo hiciste desde "
            "otro número o por otro medio, escribe 6 y una persona lo busca.")

STATUS_TEXT = {
    "registrada": "recibido y en revisión",
    "turnada": "turnado al Seguro Popular de tu estado",
    "respondida": "con respuesta de tu estado, en revisión final",
    "concluida": "concluido",
    "atendida": "atendido",
    "cancelada": "cancelado",
}

# --- handoff, opt-out, sessions, media ----------------------------------------------------

HANDOFF = ("Listo, una persona de Atención Ciudadana te responderá por este chat en horario hábil "
           "(lunes a viernes). Mientras tanto no enviaré respuestas automáticas.")
OPT_OUT = ("Listo, ya no te enviaremos mensajes. Si quieres volver a recibirlos, escribe ALTA.")
OPT_OUT_FORM_DROPPED = ("Listo, no registré tu reporte y ya no te enviaremos mensajes. Si quieres volver "
                        "a recibirlos, escribe ALTA.")
OPT_IN = "¡Te damos la bienvenida de nuevo! Ya puedes volver a recibir nuestros mensajes."


def session_expired(tipo: str) -> str:
    return (f"Tu conversación anterior se cerró por inactividad. Tenías un reporte de "
            f"{TIPO_NOMBRE.get(tipo, tipo).lower()} sin terminar. ¿Lo continuamos? Responde SI para "
            "continuar o NO para empezar de nuevo.")


def idle_notice(tipo: str | None) -> str:
    if tipo:
        return (f"Cerré nuestra conversación por inactividad. Tu reporte de {TIPO_NOMBRE.get(tipo, tipo).lower()} "
                "quedó pendiente: cuando me escribas podrás continuarlo.")
    return "Cerré nuestra conversación por inactividad. Escríbeme cuando quieras; MENÚ muestra las opciones."


SESSION_EXPIRED_SHORT = "Tu conversación anterior se cerró por inactividad."
RESUME_HELP = "Responde SI para continuar tu reporte o NO para empezar de nuevo."
MEDIA_ONLY = {
    "audio": "Recibí tu audio, pero todavía no puedo escucharlo.",
    "image": "Recibí tu foto y la guardo.",
    "other": "Recibí tu archivo y lo guardo.",
}
def media_added(folio: str) -> str:
    return f"Recibí tu archivo y lo agregué a tu reporte {folio}."


MEDIA_ASK_TEXT = "Por favor escríbeme en un mensaje qué pasó o qué necesitas."


def info_reply_received(folio: str, *, text: bool, media: int) -> str:
    """The answer to a request for information sent from the case (bot/dialogue/info_reply.py)."""
    files = "tu archivo" if media == 1 else "tus archivos"
    what = (f"tu respuesta y {files}" if text else files) if media else "tu respuesta"
    return (f"Gracias, agregamos {what} a tu folio {folio}. La persona que atiende tu caso ya puede "
            "verlo y te avisaremos cuando haya novedades.")


# --- after a case is closed: reopen, same matter ------------------------------------------------


def reopen_offer(folio: str) -> str:
    return (f"Lamento que no se haya resuelto. ¿Quieres que reabramos tu folio {folio} para darle "
            "seguimiento? Responde SÍ o NO.")


def reopened(folio: str) -> str:
    return (f"Listo, reabrimos tu folio {folio}. Lo revisará de nuevo el enlace de tu estado y te "
            "avisaremos por aquí la nueva fecha de respuesta.")


REOPEN_DECLINED = "Entendido, tu folio se queda cerrado. Si necesitas algo más, escribe MENÚ."


def same_matter(folio: str, registered: date | None) -> str:
    when = f" del {fecha(registered)}" if registered else ""
    return (f"Ya tienes un reporte parecido: folio {folio}{when}. ¿Es el mismo asunto? Responde SÍ "
            "para agregar esto a ese folio o NO para registrar uno nuevo.")


def added_to_folio(folio: str) -> str:
    return f"Listo, agregamos tu mensaje a tu folio {folio}. El enlace lo verá con tu reporte."
