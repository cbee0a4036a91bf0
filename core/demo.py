"""Demo cases (`sinac seed --demo`): a few months of realistic history for a fresh install.

Every case lives its life through the domain services, each step at the moment it would have
happened (core.timeutil.clock_at): registered by the bot, the buzón or an operator, turned to
the state's enlace, answered with a FUR (some late, some never), reviewed by Vinculación
(accepted, or sent back and answered again), a few reassigned or cancelled, surveys answered.
Folios, volantes, plazos and the audit trail are therefore the real ones, and the dashboard,
the queue and the monthly report all have something to show.

Only into a database without cases (never beside real ones), never in production (the command
checks), and deterministic for a given seed and day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import BOT, SYSTEM, Actor
from core.enums import Canal, CaseStatus, Direction, MessageStatus, Resultado, Role, Tipo
from core.models import Case, Contact, Message, Note, User
from core.phones import normalize_phone
from core.plazos import calendar
from core.satisfaction import QUESTION, SURVEY_KIND, record_answer
from core.services import cases as svc
from core.timeutil import MX_TZ, clock_at, now, today_mx

MONTHS = 4  # the current month (up to today) and the three before it
CASES_PER_MONTH = 110

# Rough weight of each state's affiliated population (the demo enlace of Jalisco gets a full queue).
WEIGHTS = {"15": 12, "09": 8, "14": 9, "30": 7, "21": 6, "11": 5, "07": 6, "12": 4, "20": 4, "16": 4,
           "19": 3, "13": 3, "24": 2, "28": 2, "31": 2, "27": 2}
CITIES = {
    "01": "Aguascalientes", "02": "Mexicali", "03": "La Paz", "04": "Campeche", "05": "Saltillo",
    "06": "Colima", "07": "Tuxtla Gutiérrez", "08": "Chihuahua", "09": "Iztapalapa", "10": "Durango",
    "11": "León", "12": "Chilpancingo", "13": "Pachuca", "14": "Guadalajara", "15": "Toluca",
    "16": "Morelia", "17": "Cuernavaca", "18": "Tepic", "19": "Monterrey", "20": "Oaxaca",
    "21": "Puebla", "22": "Querétaro", "23": "Chetumal", "24": "San Luis Potosí", "25": "Culiacán",
    "26": "Hermosillo", "27": "Villahermosa", "28": "Ciudad Victoria", "29": "Tlaxcala", "30": "Xalapa",
    "31": "Mérida", "32": "Zacatecas",
}
LADAS = {"09": "55", "15": "722", "14": "33", "19": "81", "21": "222", "30": "228", "11": "477", "31": "999"}
UNIDADES = ("Hospital General de {c}", "Centro de Salud {c}", "Hospital de la Mujer de {c}",
            "Hospital Regional de {c}", "Centro de Salud con Servicios Ampliados {c}")
CANALES = ((Canal.WHATSAPP, 50), (Canal.SMS, 12), (Canal.CALL_CENTER, 20), (Canal.BUZON, 12), (Canal.OFICIO, 6))
TIPOS = ((Tipo.QUEJA, 30), (Tipo.COBRO_INJUSTIFICADO, 22), (Tipo.SOLICITUD_INFORMACION, 16),
         (Tipo.CONSULTA_COBERTURA, 16), (Tipo.SUGERENCIA, 8), (Tipo.FELICITACION, 8))

TEXTOS = {
    Tipo.QUEJA: (
        "Fui al {u} desde las 6 de la mañana y no me dieron ficha para consulta.",
        "En la farmacia del {u} no había metformina ni insulina; me dijeron que la comprara afuera.",
        "Mi mamá lleva tres semanas esperando cita con el cardiólogo en el {u}.",
        "La persona de recepción del {u} me trató de forma grosera y no quiso registrar a mi hijo.",
        "No me quisieron atender en urgencias del {u} porque mi póliza es de otro estado.",
        "Me cancelaron dos veces la cirugía de vesícula en el {u} sin explicarme por qué.",
    ),
    Tipo.COBRO_INJUSTIFICADO: (
        ("En el {u} me cobraron {m} pesos por el ultrasonido de mi embarazo.", "Ultrasonido obstétrico"),
        ("Me hicieron pagar {m} pesos de cuota de recuperación por la cesárea en el {u}.", "Cesárea"),
        ("En el {u} no había los medicamentos de mi hija y gasté {m} pesos comprándolos afuera.", "Medicamentos"),
        ("Me cobraron {m} pesos por los análisis de laboratorio en el {u} aunque estoy afiliada.",
         "Estudios de laboratorio"),
        ("Por la consulta de urgencias en el {u} me pidieron {m} pesos.", "Consulta de urgencias"),
    ),
    Tipo.SOLICITUD_INFORMACION: (
        "¿Qué papeles necesito para renovar mi póliza del Seguro Popular?",
        "Quiero afiliar a mi bebé recién nacido, ¿a dónde tengo que ir?",
        "¿Mi póliza sigue vigente? Me la dieron hace tres años.",
        "Me cambié de estado, ¿me pueden atender aquí con mi póliza?",
    ),
    Tipo.CONSULTA_COBERTURA: (
        ("¿El Seguro Popular cubre la mastografía?", "Mastografía"),
        ("¿Me cubren la operación de vesícula?", "Colecistectomía"),
        ("¿Cubren el tratamiento del cáncer de mama?", "Cáncer de mama"),
        ("¿Las vacunas de mi bebé tienen costo?", "Vacunas"),
        ("¿Cubren la atención del parto?", "Parto"),
        ("¿Me dan la insulina para la diabetes?", "Diabetes"),
    ),
    Tipo.SUGERENCIA: (
        "Sugiero que en el {u} pongan más sillas en la sala de espera.",
        "Deberían dar citas por teléfono en el {u} para no formarnos desde la madrugada.",
        "Sería bueno que en el {u} hubiera señalización en lenguas indígenas.",
    ),
    Tipo.FELICITACION: (
        "Quiero felicitar a la enfermera del turno de noche del {u} por la atención a mi papá.",
        "Muchas gracias al equipo de urgencias del {u}: atendieron a mi hijo muy rápido.",
        "Felicito a la trabajadora social del {u}, nos orientó con mucha paciencia.",
    ),
}
ACCIONES = (
    "Se habló con la dirección del {u}; se revisó el caso con el área responsable.",
    "Se visitó el {u} y se entrevistó al personal del turno señalado.",
    "Se solicitó el informe por escrito a la jefatura de servicio del {u}.",
)
RESPUESTAS = {
    Resultado.FAVORABLE: {
        Tipo.QUEJA: "Ya tienes cita programada en el {u}; preséntate con tu póliza. Se habló con el personal.",
        Tipo.COBRO_INJUSTIFICADO: "Se autorizó el reembolso de {m} pesos; puedes recogerlo en la caja del {u} "
                                  "con tu identificación.",
        Tipo.SUGERENCIA: "La dirección del {u} tomó en cuenta tu sugerencia y la incluirá en su plan de mejora.",
        Tipo.FELICITACION: "Tu felicitación se hizo llegar al personal del {u}. ¡Gracias por escribirnos!",
    },
    Resultado.NO_FAVORABLE: "Revisamos tu caso con el {u}; no fue posible resolverlo como lo pediste. "
                            "Te explicamos los motivos en esta respuesta y puedes escribirnos de nuevo.",
    Resultado.IMPROCEDENTE: "El servicio que mencionas no está dentro de la cobertura; te orientamos sobre "
                            "dónde solicitarlo.",
}
DEVOLUCIONES = (
    "Falta anexar el comprobante del reembolso.",
    "Amplía la gestión: la respuesta no dice cuándo será la cita.",
    "Indica con quién se habló en la unidad y qué se acordó.",
)
NOTAS = (
    "Se llamó a la persona para confirmar los datos de la unidad.",
    "La persona envió foto del recibo por WhatsApp.",
    "Dar seguimiento con el enlace la próxima semana.",
)
ENCUESTA = ("5 muy buena atención", "4", "5", "3 tardaron mucho", "5 gracias", "2 no me resolvieron")


class DemoRefused(Exception):
    """The database already holds cases: demo data is only for an empty one."""


@dataclass
class DemoResult:
    cases: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    first_day: date | None = None
    last_day: date | None = None


def has_cases(session: Session) -> bool:
    return session.scalar(select(Case.id).limit(1)) is not None


def seed_demo(session: Session, *, seed: int = 2026, months: int = MONTHS,
              per_month: int = CASES_PER_MONTH, today: date | None = None) -> DemoResult:
    """Write the demo history (the caller commits). Raises DemoRefused if there are cases."""
    if has_cases(session):
        raise DemoRefused("La base de datos ya tiene casos: los datos de demostración solo se cargan en una vacía.")
    return _Demo(session, random.Random(seed), today or today_mx()).run(months, per_month)


class _Demo:
    def __init__(self, session: Session, rnd: random.Random, today: date):
        self.s = session
        self.rnd = rnd
        self.today = today
        self.until = now() - timedelta(minutes=5)  # nothing happens in the future
        self.cal = calendar(session)
        users = list(session.scalars(select(User).where(User.active.is_(True))))
        self.enlaces = {u.estado_clave: u for u in users if u.role == Role.ENLACE}
        self.vinculacion = next((u for u in users if u.role == Role.VINCULACION), None)
        if self.vinculacion is None or not self.enlaces:
            raise DemoRefused("Faltan los usuarios de demostración (sinac seed).")
        self.reviewer = Actor.from_user(self.vinculacion)
        self.phones: set[str] = set()

    # ---- the plan: when each case arrives ------------------------------------------------

    def run(self, months: int, per_month: int) -> DemoResult:
        first = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        for _ in range(months - 2):
            first = (first - timedelta(days=1)).replace(day=1)
        days = [first + timedelta(days=i) for i in range((self.today - first).days + 1)]
        n = round(per_month * len(days) / 30.4)
        moments = sorted(self._moment(self.rnd.choice(days)) for _ in range(n))
        result = DemoResult(first_day=first, last_day=self.today)
        for moment in moments:
            if moment >= self.until:
                continue
            case = self._life(moment)
            result.cases += 1
            result.by_status[str(case.status)] = result.by_status.get(str(case.status), 0) + 1
        return result

    def _moment(self, day: date) -> datetime:
        weekend = day.weekday() >= 5
        hour = self.rnd.randrange(9, 21) if weekend else self.rnd.randrange(7, 22)
        local = datetime.combine(day, time(hour, self.rnd.randrange(60)), tzinfo=MX_TZ)
        return local.astimezone(UTC)

    def _at(self, moment: datetime, step, *args, **kw):
        """One step of a case's life at `moment` (flushed there: defaults are read at flush)."""
        with clock_at(moment):
            result = step(*args, **kw)
            self.s.flush()
        return result

    def _later(self, moment: datetime, business_days: int, hour: int | None = None) -> datetime:
        day = self.cal.add(moment.astimezone(MX_TZ).date(), business_days)
        local = datetime.combine(day, time(hour or self.rnd.randrange(9, 18), self.rnd.randrange(60)), tzinfo=MX_TZ)
        return local.astimezone(UTC)

    # ---- one case, from registration to wherever today finds it ------------------------------

    def _life(self, moment: datetime) -> Case:
        rnd = self.rnd
        canal = _weighted(rnd, CANALES)
        tipo = _weighted(rnd, TIPOS)
        if canal == Canal.BUZON and tipo in (Tipo.COBRO_INJUSTIFICADO, Tipo.CONSULTA_COBERTURA):
            tipo = Tipo.QUEJA  # the buzón form offers queja, sugerencia, información, felicitación
        estado = rnd.choices(list(CITIES), [WEIGHTS.get(c, 1) for c in CITIES])[0]
        unidad = rnd.choice(UNIDADES).format(c=CITIES[estado])
        data = self._texts(tipo, unidad)
        contact = self._contact(canal, estado, moment) if canal in (Canal.WHATSAPP, Canal.SMS) else None
        known_estado = not (canal == Canal.BUZON and rnd.random() < 0.25)
        actor = BOT if contact else (SYSTEM if canal == Canal.BUZON else self.reviewer)
        case = self._at(moment, lambda: svc.register_case(
            self.s, actor, tipo=tipo, canal=canal, estado_clave=estado if known_estado else None,
            contact=contact, unidad=unidad if tipo not in _NO_UNIDAD else None,
            contacto_nombre=None if contact else rnd.choice(_NOMBRES),
            contacto_telefono=None if contact or canal == Canal.OFICIO else self._phone(estado),
            external_ref=None, **data).case)
        if contact is not None:
            self._at(moment, self._inbound, contact, case, data["description"])
        if case.status == CaseStatus.ATENDIDA:
            return case
        step = moment + timedelta(hours=rnd.randrange(2, 30))
        if case.estado_clave is None:  # the buzón did not say where: Vinculación asks and turns it
            if step >= self.until or rnd.random() < 0.2:
                return case
            self._at(step, svc.reassign_estado, self.s, case, self.reviewer, estado,
                     "Estado confirmado con la persona por teléfono.")
        if rnd.random() < 0.03 and step < self.until:
            self._at(step, svc.cancel_case, self.s, case, self.reviewer,
                     rnd.choice(("Duplicado de un folio anterior.", "Mensaje de prueba, no es un caso.")))
            return case
        if rnd.random() < 0.03 and step < self.until:
            other = rnd.choice([c for c in CITIES if c != case.estado_clave])
            self._at(step, svc.reassign_estado, self.s, case, self.reviewer, other,
                     f"La persona se atendió en {CITIES[other]} (portabilidad).")
            unidad = rnd.choice(UNIDADES).format(c=CITIES[other])
        if rnd.random() < 0.15:
            self._at(step, self._note, case, rnd.choice(NOTAS))
        return self._rounds(case, unidad)

    def _rounds(self, case: Case, unidad: str) -> Case:
        rnd = self.rnd
        for numero in (1, 2, 3):
            volante = case.open_volante
            if volante is None or case.status != CaseStatus.TURNADA:
                return case
            # Most answer within the plazo, some late, some not yet (vencidos stay open).
            if rnd.random() < 0.07:
                return case
            days = rnd.randrange(1, volante.plazo_dias + 1) if rnd.random() < 0.8 else \
                volante.plazo_dias + rnd.randrange(1, 6)
            answered = self._later(volante.sent_at, days)
            if answered >= self.until:
                return case
            user = self.enlaces.get(volante.estado_clave) or volante.enlace
            if user is None:  # a state without an enlace: the volante waits
                return case
            enlace = Actor.from_user(user)
            resultado = self._resultado(case.tipo)
            self._at(answered, svc.save_fur, self.s, volante, enlace, self._fur(case, unidad, resultado, answered),
                     submit=True)
            reviewed = self._later(answered, rnd.randrange(1, 4))
            if reviewed >= self.until:
                return case
            if numero < 3 and rnd.random() < 0.18:
                self._at(reviewed, svc.send_back, self.s, case, self.reviewer, rnd.choice(DEVOLUCIONES))
                continue
            self._at(reviewed, svc.accept_fur, self.s, case, self.reviewer)
            self._survey(case, reviewed)
            return case
        return case

    # ---- the pieces -----------------------------------------------------------------------

    def _texts(self, tipo: str, unidad: str) -> dict:
        rnd = self.rnd
        choice = rnd.choice(TEXTOS[tipo])
        if tipo == Tipo.COBRO_INJUSTIFICADO:
            monto = rnd.choice((180, 350, 450, 800, 1200, 2500, 6800))
            text, concepto = choice
            return {"description": text.format(u=unidad, m=f"{monto:,}"), "monto": monto, "concepto": concepto,
                    "fecha_hechos": None}
        if tipo == Tipo.CONSULTA_COBERTURA:
            text, topic = choice
            return {"description": text, "topic": topic}
        return {"description": choice.format(u=unidad)}

    def _contact(self, canal: str, estado: str, moment: datetime) -> Contact:
        phone = self._phone(estado)
        contact = Contact(phone=phone, channel=canal, estado_clave=estado, consent_at=moment,
                          privacy_notice_at=moment, last_inbound_at=moment)
        self._at(moment, self.s.add, contact)
        return contact

    def _phone(self, estado: str) -> str:
        lada = LADAS.get(estado, "55")
        while True:  # "00" after the lada: numbers that are not handed out
            digits = lada + "00" + "".join(str(self.rnd.randrange(10)) for _ in range(8 - len(lada)))
            phone = normalize_phone("+52" + digits)
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def _inbound(self, contact: Contact, case: Case, body: str) -> None:
        self.s.add(Message(contact_id=contact.id, case_id=case.id, direction=Direction.INBOUND,
                           channel=contact.channel, body=body, status=MessageStatus.PROCESSED, processed_at=now()))

    def _note(self, case: Case, body: str) -> None:
        self.s.add(Note(case_id=case.id, author_id=self.vinculacion.id, body=body))

    def _resultado(self, tipo: str) -> str:
        if tipo == Tipo.FELICITACION:
            return Resultado.FAVORABLE
        return self.rnd.choices((Resultado.FAVORABLE, Resultado.NO_FAVORABLE, Resultado.IMPROCEDENTE),
                                (70, 20, 10))[0]

    def _fur(self, case: Case, unidad: str, resultado: str, answered: datetime) -> dict:
        monto = int(case.monto) if case.monto is not None else 0
        if resultado == Resultado.FAVORABLE:
            texto = RESPUESTAS[resultado].get(case.tipo, RESPUESTAS[resultado][Tipo.QUEJA])
        else:
            texto = RESPUESTAS[resultado]
        data = {"fecha_respuesta": answered.astimezone(MX_TZ).date(),
                "acciones": self.rnd.choice(ACCIONES).format(u=unidad),
                "respuesta_ciudadano": texto.format(u=unidad, m=f"{monto:,}"), "resultado": resultado}
        if case.tipo == Tipo.COBRO_INJUSTIFICADO:
            reembolso = monto if resultado == Resultado.FAVORABLE else 0
            data.update(monto_reclamado=monto, monto_reembolsado=reembolso,
                        fecha_reembolso=data["fecha_respuesta"] if reembolso else None)
        return data

    def _survey(self, case: Case, concluded: datetime) -> None:
        """Affiliates who wrote by WhatsApp or SMS get the survey; about half answer it."""
        contact = self.s.get(Contact, case.contact_id) if case.contact_id else None
        if contact is None:
            return
        asked = concluded + timedelta(minutes=2)
        answered = asked + timedelta(hours=self.rnd.randrange(1, 20))
        if answered >= self.until:
            return
        self._at(asked, self.s.add, Message(contact_id=contact.id, case_id=case.id, direction=Direction.OUTBOUND,
                                            channel=contact.channel, body=QUESTION, kind=SURVEY_KIND,
                                            status=MessageStatus.DELIVERED))
        if self.rnd.random() < 0.5:
            text = self.rnd.choice(ENCUESTA)
            self._at(answered, self.s.add, Message(contact_id=contact.id, direction=Direction.INBOUND,
                                                   channel=contact.channel, body=text,
                                                   status=MessageStatus.PROCESSED))
            self._at(answered, record_answer, self.s, contact, text)


_NO_UNIDAD = (Tipo.SOLICITUD_INFORMACION, Tipo.CONSULTA_COBERTURA)
_NOMBRES = ("María Guadalupe Hernández", "José Luis Martínez", "Juana López", "Francisco Pérez",
            "Rosa María Sánchez", "Miguel Ángel Ramírez", "Verónica Cruz", "Alejandro Flores")


def _weighted(rnd: random.Random, items):
    return rnd.choices([i for i, _ in items], [w for _, w in items])[0]
