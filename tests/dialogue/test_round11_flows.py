"""Round 11 (stop 33): a charge and a question in one message, a report announced as a queja
that tells of a purchase, "ahora sí" at the summary, opt-out in the person's words, a state
taken from two town names."""

from __future__ import annotations

from sqlalchemy import select

from core.enums import Tipo
from core.models import Contact
from tests.dialogue.conftest import joined, reports


def test_a_charge_and_a_coverage_question_are_both_handled(phone, db):
    answer = joined(phone.send("me pidieron 400 por el ultrasonido en el hospital de Zihuatanejo, y tmb "
                               "queria saber si cubren la cesarea porque me toca en marzo"))
    assert "cesárea" in answer.lower() and "Revisa tu reporte" in answer and "$400" in answer
    phone.send("si")
    [case] = reports(db)
    assert case.tipo == Tipo.COBRO_INJUSTIFICADO.value and case.estado_clave == "12"


def test_a_suggestion_and_a_coverage_question_are_both_handled(phone, db):
    answer = joined(phone.send("oigan q pongan mas horarios en el cs de Tizayuca, en la tarde esta cerrado, "
                               "y tmb cubren la vasectomia?"))
    assert "vasectomía" in answer.lower() and "Revisa tu reporte" in answer
    phone.send("si")
    [case] = reports(db)
    assert case.tipo == Tipo.SUGERENCIA.value


def test_a_queja_that_tells_of_a_purchase_is_a_charge(phone, db):
    summary = joined(phone.send("tengo una queja, en durango capital no me dieron la medicina de la presion "
                                "y la tuve q comprar"))
    assert "¿Cuánto te cobraron?" in summary
    assert "Cobro injustificado" in joined(phone.send("230"))
    phone.send("si")
    [case] = reports(db)
    assert case.tipo == Tipo.COBRO_INJUSTIFICADO.value and float(case.monto) == 230


def test_ahora_si_at_the_summary_confirms(phone, db):
    phone.send("en el hospital de la mujer de Culiacan me hicieron pagar el ultrasonido, 500")
    assert "$800" in joined(phone.send("no, fueron ochocientos, me confundi con otro recibo"))
    assert "folio" in joined(phone.send("ahora si esta bien, si"))
    [case] = reports(db)
    assert float(case.monto) == 800


def test_two_town_names_that_share_a_state_give_it(phone, db):
    summary = joined(phone.send("En el Salvatierra de La Paz me pidieron 750 para la placa de torax de mi papa"))
    assert "Estado: Baja California Sur" in summary


def test_a_hospital_named_before_the_charge_gives_its_likelier_state(phone, db):
    phone.send("hola kiero kejarme")
    phone.send("del hospital de matamoros")
    summary = joined(phone.send("me pidieron 2500 x el parto de mi hija, no nos querian recibir sin pagar"))
    assert "Estado: Tamaulipas" in summary


def test_opt_out_for_a_relative_who_died(phone, db):
    phone.send("Buenas tardes, este número era de mi mamá que ya falleció, favor de sacarlo de su lista "
               "para que no le lleguen más avisos.")
    contact = db.scalars(select(Contact)).one()
    assert contact.opt_out


def test_a_deposit_demanded_before_surgery_is_a_charge_not_praise(phone, db):
    summary = joined(phone.send("Me operaron de la vesicula en un hospital de gobierno en Monterrey y antes de "
                                "la cirugia me exigieron dejar 15 mil de anticipo, nunca me los devolvieron"))
    assert "Cobro injustificado" in summary and "$15,000" in summary


def test_sent_to_buy_and_bought_nothing_is_a_complaint(phone, db):
    summary = joined(phone.send("Quiero poner una queja del centro de salud de Tepic, no tienen ni gasas ni alcohol "
                                "y me mandaron a comprar a la farmacia, yo no compre nada mejor me fui"))
    assert "Tipo: Queja" in summary and "¿Cuánto te cobraron?" not in summary


def test_praise_of_jesus_maria_takes_aguascalientes(phone, db):
    summary = joined(phone.send("Quiero felicitar a la Dra. Guadalupe Ruvalcaba del centro de salud de Jesús María, "
                                "siempre atiende con paciencia a mi mamá"))
    assert "Estado: Aguascalientes" in summary


def test_not_remembering_the_amount_goes_on_without_it(phone, db):
    phone.send("me cobraron los estudios de mi papa en el hospital de Poza Rica")
    summary = joined(phone.send("la verdad no me acuerdo cuanto fue, no me dieron ticket"))
    assert "Revisa tu reporte" in summary and "Monto" not in summary
    phone.send("si")
    [case] = reports(db)
    assert case.monto is None


def test_a_town_answering_the_state_question_takes_its_likelier_state(phone, db):
    phone.send("no me quisieron atender en el hospital porque mi poliza esta vencida y yo la renove hace un mes")
    assert "Estado: Tamaulipas" in joined(phone.send("en matamoros"))
