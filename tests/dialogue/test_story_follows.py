"""The report follows what the person says while it is open: the tipo, added charges, stated
totals, origin vs. place, confirmations and cancellations said loosely, a place said first."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.models import Case
from tests.dialogue.conftest import joined


def cases(db):
    return db.scalars(select(Case).order_by(Case.id)).all()


def test_money_told_at_a_complaints_summary_makes_it_a_charge(phone, make, db):
    make.enlace("09")
    phone.send("buenas tardes, a mi esposa la internaron en el hospital general de iztapalapa")
    summary = joined(phone.send("dejamos 3000 de deposito y al dia siguiente nos pidieron otros 500 para sacarla"))
    assert "Cobro injustificado" in summary and "$3,500" in summary
    phone.send("así es, gracias")
    [case] = cases(db)
    assert case.tipo == "cobro_injustificado" and case.monto == Decimal("3500.00")
    assert case.estado_clave == "09"


def test_one_more_charge_is_added_to_the_one_noted(phone, make, db):
    make.enlace("11")
    phone.send("en el centro de salud de celaya me mandaron a hacer un ultrasonido afuera, pague 450")
    summary = joined(phone.send("y tambien los analisis de sangre que me costaron 620 en un laboratorio"))
    assert "$1,070" in summary
    summary = joined(phone.send("y luego otros 100 de la copia del estudio"))
    assert "$1,170" in summary
    phone.send("sí")
    [case] = cases(db)
    assert case.monto == Decimal("1170.00") and "450" in case.concepto and "620" in case.concepto


def test_a_corrected_total_wins_over_its_parts(phone, make, db):
    make.enlace("23")
    phone.send("en el hospital general de Cancún me cobraron la sutura de mi hijo")
    phone.send("pagué 900")
    summary = joined(phone.send("no perdón, 1900, fueron 900 la sutura y mil de la vacuna del tétanos"))
    assert "$1,900" in summary
    summary = joined(phone.send("bueno 2,100 con todo, me cobraron 200 mas del cuarto"))
    assert "$2,100" in summary
    phone.send("si correcto son los 2100")
    [case] = cases(db)
    assert case.monto == Decimal("2100.00")


def test_the_tipo_named_at_the_summary_is_taken(phone, make, db):
    make.enlace("16")
    phone.send("quiero poner una queja del hospital civil de morelia")
    summary = joined(phone.send("bueno no es queja, mas bien una sugerencia, que pongan letreros"))
    assert "Sugerencia" in summary
    phone.send("sí")
    [case] = cases(db)
    assert case.tipo == "sugerencia" and case.estado_clave == "16"


def test_saying_nothing_was_charged_keeps_a_complaint(phone, make, db):
    make.enlace("09")
    phone.send("le negaron la atención a mi hijo en urgencias del hospital balbuena en la cdmx")
    summary = joined(phone.send("no me cobraron, no lo quisieron ni ver"))
    assert "Queja" in summary and "Cuánto" not in summary
    phone.send("sí")
    [case] = cases(db)
    assert case.tipo == "queja" and case.monto is None


def test_where_a_person_is_from_does_not_move_the_report(phone, make, db):
    make.enlace("29")
    phone.send("soy de puebla pero en el hospital general de apizaco tlaxcala me cobraron 2500 del legrado")
    answer = joined(phone.send("mi poliza es de puebla, eso importa?"))
    assert "Corregido" not in answer and "Puebla" not in answer
    phone.send("ah no perdón, es en apizaco, me confundí porque mi mamá es de puebla jaja")
    phone.send("sí")
    [case] = cases(db)
    assert case.estado_clave == "29"


def test_a_correction_naming_two_estados_takes_the_new_one(phone, make, db):
    make.enlace("19")
    phone.send("el doctor del centro de salud de guadalupe me trato muy feo")
    phone.send("zacatecas")
    summary = joined(phone.send("ah no perdon, es guadalupe nuevo leon, me confundi porque mi mama es de zacatecas"))
    assert "Nuevo León" in summary
    phone.send("sí")
    [case] = cases(db)
    assert case.estado_clave == "19"


def test_opening_with_forget_it_cancels_without_handing_off(phone, make, db):
    make.enlace("16")
    phone.send("queria reportar un cobro del hospital de la mujer de morelia, 1500 del parto")
    phone.send("olvidelo, ya fue mi esposo a hablar con el gestor y se lo regresaron")
    assert cases(db) == []
    assert not phone.contact.handoff


def test_a_place_said_first_is_used_by_the_report_that_follows(phone, make, db):
    make.enlace("30")
    noted = joined(phone.send("Veracruz"))
    assert "Anoté" in noted and "Veracruz" in noted
    phone.send("hospital regional de coatza")
    summary = joined(phone.send("me cobraron 600 x una curacion de mi pie, soy diabetico"))
    assert "Veracruz" in summary and "hospital regional de coatza" in summary and "$600" in summary
    phone.send("sip")
    [case] = cases(db)
    assert case.estado_clave == "30" and case.unidad == "hospital regional de coatza"


def test_opt_out_at_the_end_of_a_sentence(phone, db):
    phone.send("quien es? no conozco este numero")
    phone.send("no me interesa, alto")
    assert phone.contact.opt_out


def test_is_there_anybody_is_a_greeting_not_a_handoff(phone, db):
    phone.send("buenos dias")
    again = joined(phone.send("alguien?"))
    assert "1 Queja" in again
    assert not phone.contact.handoff
