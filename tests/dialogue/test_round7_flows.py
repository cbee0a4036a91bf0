"""Conversations from the round-7 development set: charges added at the summary, an amount that
opens an answer about the place, a hospital named after an estado, a status question with a new
charge, and asking for a person or to stop in other words."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Case, Contact
from tests.dialogue.conftest import joined


def test_a_charge_added_at_the_summary_is_summed(phone, db):
    phone.send("en el centro de salud de ixmiquilpan me cobraron 300 de la consulta")
    summary = joined(phone.send("ah y aparte 200 de la placa de rayos x"))
    assert "$500" in summary
    summary = joined(phone.send("+120 d la inyeccion"))
    assert "$620" in summary
    phone.send("si")
    assert float(db.scalars(select(Case)).one().monto) == 620


def test_the_whole_told_again_replaces_instead_of_adding(phone, db):
    phone.send("en el hospital de gomez palacio me cobraron 2000 del ultrasonido")
    summary = joined(phone.send("bueno 2000 del ultrasonido y 350 de los analisis que tambien me cobraron"))
    assert "$2,350" in summary and "$4,350" not in summary


def test_an_amount_that_opens_the_answer_about_the_place_is_kept(phone, db):
    phone.send("me cobraron medicina")
    summary = joined(phone.send("450 en el hospital general de cuautla"))
    assert "$450" in summary and "Morelos" in summary


def test_a_hospital_named_after_an_estado_does_not_move_the_case(phone, db):
    phone.send("me cobraron 350 en aguascalientes")
    summary = joined(phone.send("el hospital hidalgo"))
    assert "Aguascalientes" in summary and "hospital hidalgo" in summary.lower()
    phone.send("si")
    assert db.scalars(select(Case)).one().estado_clave == "01"


def test_a_status_question_with_a_new_charge_answers_then_takes_the_charge(phone, db):
    text = joined(phone.send("como va mi folio 2026 4521? y otra cosa, me volvieron a cobrar otra "
                             "consulta, 250, en el mismo centro de salud de tenosique"))
    assert "folio" in text and "$250" in text and "Tabasco" in text
    phone.send("si")
    case = db.scalars(select(Case)).one()
    assert case.tipo == "cobro_injustificado" and float(case.monto) == 250


def test_a_person_asked_for_by_role_is_a_handoff(phone, db):
    phone.send("ocupo que me atienda un licenciado del seguro popular es urgente mi mama esta "
               "internada y no me dan informes")
    assert db.scalars(select(Contact)).one().handoff


def test_stop_in_other_words_in_the_middle_of_a_report(phone, db):
    phone.send("me cobraron 300 en el centro de salud de ocosingo")
    phone.send("sabe que ya no quiero nada, no me vuelvan a escribir")
    assert db.scalars(select(Contact)).one().opt_out
    assert db.scalars(select(Case)).first() is None


def test_the_new_stop_and_person_words_keep_their_limits():
    from bot.nlu.signals import Signals

    assert Signals.read("saquenme de su lista de difusion porfa").opt_out
    assert not Signals.read("no me vuelvan a mandar a ese hospital").opt_out
    assert Signals.read("comuniqueme con el encargado").asks_human
    assert not Signals.read("el encargado me atendio mal").asks_human
    assert not Signals.read("quiero hablar con el encargado del hospital").asks_human


def test_a_price_each_answered_after_a_count_is_multiplied(phone, db):
    phone.send("me cobraron 3 consultas en el centro de salud de jojutla")
    summary = joined(phone.send("de 150 cada una"))
    assert "$450" in summary


def test_complaining_of_a_charge_after_choosing_queja_is_the_charge(phone, db):
    phone.send("1")
    phone.send("quiero quejarme, me hicieron pagar 1,500 por la radiografía de mi hijo en el "
               "hospital regional de Colima")
    phone.send("sí")
    assert db.scalars(select(Case)).one().tipo == "cobro_injustificado"


def test_a_deposit_never_given_back_stays_a_charge(phone, db):
    phone.send("el laboratorio del hospital general de Pachuca me pidió una garantía de 1,200 "
               "para hacerme los estudios de sangre")
    phone.send("dijeron que me la regresaban cuando saliera el resultado y nunca me la devolvieron")
    phone.send("sí, es correcto")
    assert db.scalars(select(Case)).one().tipo == "cobro_injustificado"


def test_supposedly_free_is_said_of_a_charge():
    from bot.nlu.interpret import no_charge

    assert not no_charge("me bajaron 400 varos por la consulta y según es gratis")
    assert no_charge("me atendieron gratis y muy bien")


def test_asked_twice_for_the_amount_a_bare_yes_goes_on_without_it(phone, db):
    phone.send("me cobraron los estudios de mi papa en el hospital de poza rica")
    assert "aproximado" in joined(phone.send("mmm"))
    summary = joined(phone.send("si"))
    assert "Revisa tu reporte" in summary
    phone.send("si")
    case = db.scalars(select(Case)).one()
    assert case.tipo == "cobro_injustificado" and case.monto is None


def test_a_city_nickname_gives_the_estado(phone, db):
    phone.send("quiero poner una queja, el doctor de la clinica ni me reviso")
    summary = joined(phone.send("aqui en la bella airosa, pachuquita"))
    assert "Hidalgo" in summary
    phone.send("si")
    assert db.scalars(select(Case)).one().estado_clave == "13"


def test_where_someone_travels_from_does_not_correct_the_estado(phone, db):
    phone.send("en el Hospital General de Mexico le cancelaron la cirugia a mi tia por tercera vez")
    summary = joined(phone.send("ella viene desde hidalgo cada vez y gasta en pasajes"))
    assert "Ciudad de México" in summary and "Estado: Hidalgo" not in summary


def test_a_charge_asked_for_and_never_paid_is_a_complaint(phone, db):
    phone.send("me dicen que para operarme la vesicula tengo que pagar 15 mil de material")
    phone.send("no, no los he pagado, no tengo ese dinero, por eso no me han operado")
    summary = joined(phone.send("en el hospital general de durango"))
    assert "Queja" in summary and "$15,000" not in summary
    phone.send("si")
    case = db.scalars(select(Case)).one()
    assert case.tipo == "queja" and case.monto is None


def test_a_reported_charge_that_was_none_is_a_complaint(phone, db):
    phone.send("kiero reportar un cobro")
    phone.send("no m cobraron nada, nomas no me atendieron xq no habia sistema")
    summary = joined(phone.send("morelia"))
    assert "Queja" in summary
    phone.send("si")
    assert db.scalars(select(Case)).one().tipo == "queja"


def test_a_suggestion_that_tells_of_ones_own_charge_is_the_charge(phone, db):
    phone.send("deberian poner un letrero grande que diga que el parto es gratis")
    summary = joined(phone.send("porque a mi me cobraron 2500 en el hospital de tuxtepec y hasta ahorita supe que no debian"))
    assert "Cobro injustificado" in summary and "$2,500" in summary


def test_an_announced_report_that_turns_out_praise_is_praise(phone, db):
    phone.send("quiero reportar a una enfermera")
    summary = joined(phone.send("se llama Rosa, del turno de noche en pediatria del hospital general de "
                                "tijuana, se quedo con mi bebe toda la noche, se porto como un angel"))
    assert "Felicitación" in summary
    phone.send("si")
    assert db.scalars(select(Case)).one().tipo == "felicitacion"


def test_leaving_typed_with_k_at_the_summary_opts_out(phone, db):
    phone.send("queja x que no hay medicamento para mi epilepsia")
    phone.send("merida")
    phone.send("ya no kiero recibir mensajes 🙄 bye")
    contact = db.scalars(select(Contact)).one()
    assert contact.opt_out and not db.scalars(select(Case)).all()
