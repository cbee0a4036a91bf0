"""Round 9 (stop 31): a "no" to the summary that is followed by the fix, amounts said while the
bot asks for the state, a figure said twice or the change given back, a yes with thanks."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.models import Case
from tests.dialogue.conftest import joined


def cases(db):
    return db.scalars(select(Case)).all()


def test_an_amount_in_words_answered_to_the_state_question_is_kept(phone, db):
    phone.send("aki en una clinica me cobraron la atencion de mi morro en urgencias")
    phone.send("mil ochocientos cincuenta")
    summary = joined(phone.send("en guanatos"))
    assert "Jalisco" in summary and "$1,850" in summary
    phone.send("si")
    [case] = cases(db)
    assert case.monto == Decimal("1850.00") and case.estado_clave == "14"


def test_a_corrected_amount_answered_to_the_state_question_is_kept(phone, db):
    phone.send("me cobraron 1,200 x la endoscopia de mi señora en el hospital regional")
    phone.send("ah no perdon fueron 1,400 me equivoque, ya vi el papelito")
    summary = joined(phone.send("Chihuahua"))
    assert "$1,400" in summary
    phone.send("si")
    assert cases(db)[0].monto == Decimal("1400.00")


def test_the_same_figure_said_twice_and_another_added(phone, db):
    phone.send("En el hospital de Coatzacoalcos me cobraron la consulta de ginecologia")
    summary = joined(phone.send("900... bueno 900 y aparte 150 de la cuota de recuperacion"))
    assert "$1,050" in summary


def test_change_given_back_is_not_charged(phone, db):
    phone.send("me cobraron el medicamento de mi papa en el centro de salud de Villahermosa")
    summary = joined(phone.send("le di un billete de 500 y me regreso 120"))
    assert "$380" in summary


def test_a_total_explained_after_the_no_to_the_summary(phone, db):
    phone.send("En el hospital de Cuautla me cobraron mil pesos por la consulta del especialista")
    phone.send("no")
    fixed = joined(phone.send("el monto, fueron 1100 xq tmb me cobraron 100 de una credencial"))
    assert "$1,100" in fixed


def test_a_yes_with_thanks_registers(phone, db):
    phone.send("quiero felicitar al personal del Hospital Civil de Morelia, nos trataron muy bien")
    text = joined(phone.send("Es correcto, muchas gracias."))
    assert "SINAC-" in text and cases(db)[0].tipo == "felicitacion"


def test_not_a_complaint_only_to_be_taken_into_account_is_a_suggestion(phone, db):
    phone.send("hace falta una rampa en el centro de salud de Jerez Zacatecas, mi esposo va en silla de ruedas")
    summary = joined(phone.send("no es queja nomas q lo tomen en cuenta"))
    assert "Sugerencia" in summary
    phone.send("si")
    assert cases(db)[0].tipo == "sugerencia"
