"""Whole conversations through the signed Twilio webhook, the jobs and the Twilio stand-in:
inline jobs, and the real Redis with an RQ worker."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from core.models import Case
from tests.channels.conftest import chan_settings, make_app, rq_settings  # noqa: F401 (fixtures)
from tests.support.twilio import inbound_form, post_signed, standin  # noqa: F401 (fixtures)

PHONE = "whatsapp:+523398765432"
_sids = itertools.count(1)


def say(client, body: str, sender: str = PHONE) -> None:
    response = post_signed(client, inbound_form(sid=f"SM{next(_sids):032d}", sender=sender, body=body))
    assert response.status_code == 200


def bodies(twilio, since: int = 0) -> list[str]:
    return [m["body"] for m in twilio.messages(to=PHONE)][since:]


def test_conversation_through_the_webhook_inline(chan_settings, standin, db, make):  # noqa: F811
    make.enlace("14")
    client = make_app(chan_settings).test_client()
    say(client, "hola")
    greeting = "\n".join(bodies(standin))
    assert "aviso de privacidad" in greeting and "1 Queja" in greeting
    n = len(bodies(standin))
    say(client, "me cobraron 150 en el centro de salud de Zapopan")
    assert "Responde SI o NO" in "\n".join(bodies(standin, n))
    n = len(bodies(standin))
    say(client, "no, fueron 3500")
    assert "$3,500" in "\n".join(bodies(standin, n))
    n = len(bodies(standin))
    say(client, "si")
    case = db.scalars(select(Case)).one()
    done = "\n".join(bodies(standin, n))
    assert case.folio in done and "reembolso" in done
    assert case.status == "turnada" and str(case.monto) == "3500.00"
    n = len(bodies(standin))
    say(client, "BAJA")
    assert len(bodies(standin, n)) == 1 and "ALTA" in bodies(standin, n)[0]
    n = len(bodies(standin))
    say(client, "hola")
    assert bodies(standin, n) == []  # nothing reaches an opted-out phone
    say(client, "ALTA")
    assert "bienvenida" in "\n".join(bodies(standin, n))


def test_conversation_with_redis_and_a_worker(rq_settings, standin, db):  # noqa: F811
    from tests.support.jobs import run_jobs

    client = make_app(rq_settings).test_client()

    def turn(body: str) -> list[str]:
        before = len(bodies(standin))
        say(client, body)
        run_jobs(rq_settings, db)  # a worker, and the relay for the parts after the first
        return bodies(standin, before)

    assert "1 Queja" in "\n".join(turn("hola"))
    assert "qué pasó" in "\n".join(turn("1"))
    assert "estado" in "\n".join(turn("el doctor no me quiso atender en urgencias")).lower()
    assert "Responde SI o NO" in "\n".join(turn("Sonora"))
    done = "\n".join(turn("si"))
    case = db.scalars(select(Case)).one()
    assert case.folio in done and case.estado_clave == "26" and case.tipo == "queja"
