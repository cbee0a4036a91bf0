"""Round 12 (stop 34): a suggestion announced that tells of care refused, a yes said with
thanks, a change of tipo asked together with the yes, the tipo named at the summary, and a bare
"no" to "¿cuánto te cobraron?"."""

from __future__ import annotations

from core.enums import Tipo
from tests.dialogue.conftest import joined, reports


def test_a_suggestion_announced_that_tells_of_care_refused_is_a_complaint(phone, db):
    phone.send("tengo una sugerencia")
    summary = joined(phone.send("que no le nieguen la dialisis a la gente, a mi tio en el hospital general de "
                                "Ecatepec le dijeron que no hay maquinas y que se vaya a otro lado y el ya no aguanta"))
    assert "Tipo: Queja" in summary
    phone.send("si")
    [case] = reports(db)
    assert case.tipo == Tipo.QUEJA.value and case.estado_clave == "15"


def test_a_real_suggestion_announced_stays_one(phone, db):
    phone.send("tengo una sugerencia")
    summary = joined(phone.send("que pongan mas sillas en la sala de espera del centro de salud de Tulancingo, "
                                "ayer estuvimos parados 3 horas"))
    assert "Tipo: Sugerencia" in summary


def test_a_yes_with_thanks_confirms(phone, db):
    phone.send("Me permito manifestar mi inconformidad por el trato recibido en el Centro de Salud de Tulancingo, "
               "donde el medico de turno se nego a revisarme por llegar 10 minutos tarde a mi cita.")
    assert "folio" in joined(phone.send("Es correcto. Le agradezco su atencion."))
    [case] = reports(db)
    assert case.tipo == Tipo.QUEJA.value


def test_the_tipo_changed_and_the_yes_in_one_message_registers(phone, db):
    phone.send("me mandaron a comprar las gasas y el hilo para la cirugia de mi hijo en el hospital de "
               "coatzacoalcos, no me cobraron nada ahi pero tuve que ir a la farmacia")
    phone.send("no tengo los tickets ya, no se cuanto fue")
    assert "folio" in joined(phone.send("si registrelo asi como queja"))
    [case] = reports(db)
    assert case.tipo == Tipo.QUEJA.value


def test_the_tipo_named_at_the_summary_changes_it(phone, db):
    phone.send("la doctora del hospital de san andres tuxtla muy buena, pero la de trabajo social muy grosera")
    summary = joined(phone.send("quiero que quede la queja de la de trabajo social"))
    assert "Tipo: Queja" in summary


def test_a_bare_no_to_the_amount_goes_on_without_it(phone, db):
    first = joined(phone.send("queja contra el hospital general de Tlaxcala, me trataron mal y ademas me "
                              "cobraron la radiografia"))
    assert "¿Cuánto te cobraron?" in first
    after = joined(phone.send("no"))
    assert "cancelé" not in after and "Revisa tu reporte" in after
    assert "folio" in joined(phone.send("si"))
    [case] = reports(db)
    assert case.estado_clave == "29"
