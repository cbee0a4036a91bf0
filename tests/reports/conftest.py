"""A month of known cases (October 2026, with September 2026 before it) built with the domain
services, then moved to known dates. Every figure the tests expect is computed by hand in
test_figures.py from the timeline below (times are 16:00 UTC = 10:00 in Mexico City).

Calendar: Sept 16 2026 (Wed) is an official holiday; Oct 12 2026 (Mon) is added by the admin
as an extra holiday (Holiday table). Oct 1 2026 is a Thursday.

  A  JAL queja whatsapp      reg Oct 1; v1 sent Oct 1, FUR Oct 6, accepted Oct 7 (favorable); satisf. 5 on Oct 8
  B  JAL queja sms           reg Oct 5; v1 sent Oct 5, FUR Oct 9, sent back Oct 13; v2 sent Oct 13 (due Oct 20),
                             FUR Oct 14, accepted Oct 15 (no_favorable); satisf. 2 on Nov 2
  C  CDMX cobro whatsapp     reg Sept 28; v1 sent Sept 28 (due Oct 13), FUR Oct 2, accepted Oct 5 (favorable,
                             claimed 800, reimbursed 500); satisf. 3 on Oct 6
  D  CDMX queja call_center  reg Oct 29; v1 sent Oct 29 (due Nov 12), FUR Nov 3 (open)
  E  JAL cobro buzon         reg Oct 19; v1 sent Oct 19, due Oct 21, FUR Oct 26 (late), accepted Oct 27
                             (improcedente, claimed 1200, reimbursed 0)
  F  JAL queja whatsapp      reg Oct 7; v1 sent Oct 7 (due Oct 22), never answered -> vencido
  G  JAL queja whatsapp      reg Oct 8; v1 sent Oct 8 (due Oct 23), clock paused Oct 9 -> not vencido
  H  JAL->CDMX queja whatsapp reg Oct 2; v1 (JAL) sent Oct 2, reassigned Oct 6 (v1 cancelled); v2 (CDMX) sent
                             Oct 6, FUR Oct 8 (open)
  I  JAL solicitud_informacion whatsapp, reg + atendida Oct 10
  J  (no estado) consulta_cobertura "diabetes", reg + atendida Oct 14
  K  JAL consulta_cobertura "diabetes", Oct 15;  L  CDMX consulta_cobertura "parto", Oct 16
  M  JAL queja, reg Oct 20, v1 sent Oct 20, cancelled Oct 20
  N  JAL queja, reg 2026-11-01 03:00 UTC (= Oct 31 21:00 local), not routed
  O  JAL queja, reg 2026-10-01 05:00 UTC (= Sept 30 23:00 local), not routed
  P  JAL queja whatsapp      reg Sept 14; v1 sent Sept 14, FUR Sept 17, accepted Sept 18 (favorable);
                             satisf. 4 on Sept 20
  Q  (no estado) consulta_cobertura "vacunas", reg + atendida Sept 22
Messages (inbound): contact 1 (JAL, whatsapp) Oct 1, 2, 3; contact 2 (CDMX, sms) Sept 10, Oct 5 and
2026-11-01 03:00 UTC (= Oct 31 local); one outbound message in October (not counted).
The report is read on Nov 2 2026 (as_of).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from core.enums import Direction
from core.models import Holiday, Message
from core.plazos import BusinessCalendar
from core.services import cases as svc

AS_OF = date(2026, 11, 2)
EXTRA_HOLIDAY = date(2026, 10, 12)
CAL = BusinessCalendar({EXTRA_HOLIDAY})


def at(month: int, day: int, hour: int = 16, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def due(sent: datetime, plazo: int) -> date:
    return CAL.add(sent.date(), plazo)


@dataclass
class Scenario:
    cases: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def _fur(tipo: str, resultado: str = "favorable", reclamado=None, reembolsado=None) -> dict:
    data = {"fecha_respuesta": date(2026, 10, 1), "acciones": "Se habló con la unidad.",
            "respuesta_ciudadano": "Le atenderán sin costo.", "resultado": resultado}
    if tipo == "cobro_injustificado":
        data.update(monto_reclamado=reclamado, monto_reembolsado=reembolsado)
        if reembolsado:
            data["fecha_reembolso"] = date(2026, 10, 5)
    return data


@pytest.fixture
def scenario(db, make) -> Scenario:
    s = db
    db.add(Holiday(fecha=EXTRA_HOLIDAY, descripcion="Día de la Raza (asueto interno)"))
    db.commit()
    jal, cdmx = make.enlace("14", nombre="Enlace Jalisco"), make.enlace("09", nombre="Enlace CDMX")
    vinc = make.user("vinculacion")
    va, ej, ec = make.actor(vinc), make.actor(jal), make.actor(cdmx)
    sc = Scenario(users={"jal": jal, "cdmx": cdmx, "vinc": vinc})

    def file(case, actor, tipo="queja", **fur):
        svc.save_fur(s, case.open_volante, actor, _fur(tipo, **fur), submit=True)
        s.flush()
        return case.volantes[-1]

    def accept(case):
        svc.accept_fur(s, case, va)
        s.flush()

    def new(name, tipo="queja", estado="14", canal="whatsapp", created=None, **kw):
        case = make.case(tipo=tipo, estado_clave=estado, canal=canal, **kw)
        case.created_at = created
        if case.closed_at is not None:  # atendida at registration
            case.closed_at = created
        sc.cases[name] = case
        return case

    def timed(volante, sent, plazo=None, due_date=None, answered=None, closed=None):
        volante.sent_at = sent
        volante.due_date = due_date or due(sent, plazo or volante.plazo_dias)
        volante.answered_at = answered
        volante.closed_at = closed
        volante.review_due_date = None  # the filing's review clock counted from today's date: none here

    # A
    a = new("A", created=at(10, 1))
    file(a, ej)
    accept(a)
    timed(a.volantes[0], at(10, 1), answered=at(10, 6), closed=at(10, 7))
    a.closed_at, a.satisfaction, a.satisfaction_at = at(10, 7), 5, at(10, 8)
    # B
    b = new("B", canal="sms", created=at(10, 5))
    file(b, ej, resultado="no_favorable")
    svc.send_back(s, b, va, "Ampliar gestión: falta la constancia.")
    s.flush()
    file(b, ej, resultado="no_favorable")
    accept(b)
    timed(b.volantes[0], at(10, 5), answered=at(10, 9), closed=at(10, 13))
    timed(b.volantes[1], at(10, 13), plazo=5, answered=at(10, 14), closed=at(10, 15))
    b.closed_at, b.satisfaction, b.satisfaction_at = at(10, 15), 2, at(11, 2)
    # C
    c = new("C", tipo="cobro_injustificado", estado="09", created=at(9, 28))
    file(c, ec, tipo="cobro_injustificado", reclamado=800, reembolsado=500)
    accept(c)
    timed(c.volantes[0], at(9, 28), answered=at(10, 2), closed=at(10, 5))
    c.closed_at, c.satisfaction, c.satisfaction_at = at(10, 5), 3, at(10, 6)
    # D
    d = new("D", estado="09", canal="call_center", created=at(10, 29))
    file(d, ec)
    timed(d.volantes[0], at(10, 29), answered=at(11, 3))
    # E
    e = new("E", tipo="cobro_injustificado", canal="buzon", created=at(10, 19))
    file(e, ej, tipo="cobro_injustificado", resultado="improcedente", reclamado=1200, reembolsado=0)
    accept(e)
    timed(e.volantes[0], at(10, 19), due_date=date(2026, 10, 21), answered=at(10, 26), closed=at(10, 27))
    e.closed_at = at(10, 27)
    # F
    f = new("F", created=at(10, 7))
    timed(f.volantes[0], at(10, 7))
    # G
    g = new("G", created=at(10, 8))
    svc.pause_clock(s, g, va, "Se espera documentación del afiliado.")
    timed(g.volantes[0], at(10, 8))
    g.volantes[0].paused_at = at(10, 9)
    # H
    h = new("H", created=at(10, 2))
    svc.reassign_estado(s, h, va, "09", "Lo atendieron en la Ciudad de México.")
    s.flush()
    file(h, ec)
    timed(h.volantes[0], at(10, 2), closed=at(10, 6))
    timed(h.volantes[1], at(10, 6), answered=at(10, 8))
    # I-L, Q: answered directly
    new("I", tipo="solicitud_informacion", created=at(10, 10))
    new("J", tipo="consulta_cobertura", estado=None, created=at(10, 14), topic="diabetes")
    new("K", tipo="consulta_cobertura", created=at(10, 15), topic="diabetes")
    new("L", tipo="consulta_cobertura", estado="09", created=at(10, 16), topic="parto")
    new("Q", tipo="consulta_cobertura", estado=None, created=at(9, 22), topic="vacunas")
    # M
    m = new("M", created=at(10, 20))
    svc.cancel_case(s, m, va, "Duplicado")
    timed(m.volantes[0], at(10, 20), closed=at(10, 20))
    m.closed_at = at(10, 20)
    # N, O: boundaries of the month in local time
    new("N", created=datetime(2026, 11, 1, 3, tzinfo=UTC), route=False)
    new("O", created=datetime(2026, 10, 1, 5, tzinfo=UTC), route=False)
    # P
    p = new("P", created=at(9, 14))
    file(p, ej)
    accept(p)
    timed(p.volantes[0], at(9, 14), answered=at(9, 17), closed=at(9, 18))
    p.closed_at, p.satisfaction, p.satisfaction_at = at(9, 18), 4, at(9, 20)
    # Messages
    c1 = make.contact("+5213311111111", channel="whatsapp", estado_clave="14")
    c2 = make.contact("+5215522222222", channel="sms", estado_clave="09")
    for contact, channel, when, direction in (
        (c1, "whatsapp", at(10, 1), Direction.INBOUND), (c1, "whatsapp", at(10, 2), Direction.INBOUND),
        (c1, "whatsapp", at(10, 3), Direction.INBOUND), (c2, "sms", at(9, 10), Direction.INBOUND),
        (c2, "sms", at(10, 5), Direction.INBOUND), (c2, "sms", datetime(2026, 11, 1, 3, tzinfo=UTC), Direction.INBOUND),
        (c1, "whatsapp", at(10, 4), Direction.OUTBOUND),
    ):
        s.add(Message(contact_id=contact.id, direction=direction, channel=channel, body="hola",
                      status="received" if direction == Direction.INBOUND else "sent", created_at=when))
    s.commit()
    return sc
