"""Round 12 (stop 34): "dar a luz" is a birth, not the electricity bill; care refused told
under the word "sugerencia" or as a coverage question; praise that turns into a complaint after
"pero"; opt-out in slang; and the coverage questions the development set found: a malignancy
ruled out, a named disease for the age told, lay names, and not-covered words that tie."""

from __future__ import annotations

import pytest

from bot.nlu import get_parser
from bot.nlu.entities import extract_entities
from bot.nlu.interpret import interpret
from bot.nlu.signals import is_opt_out
from core.coverage import get_engine


@pytest.fixture(scope="module")
def parser():
    return get_parser()


@pytest.fixture(scope="module")
def engine():
    return get_engine()


def montos(text):
    return [e["value"] for e in extract_entities(text) if e["entity"] == "monto"]


@pytest.mark.parametrize(("text", "value"), [
    ("Mi nuera dio a luz en Apizaco y le cobraron 3 mil 200.", 3200),
    ("cuando di a luz me cobraron 1500", 1500),
])
def test_a_birth_is_not_the_electricity_bill(text, value):
    assert montos(text) == [value]


@pytest.mark.parametrize("text", ["me cobraron 300 de luz", "pague la luz 500"])
def test_the_electricity_bill_is_still_not_a_health_charge(text):
    assert montos(text) == []


@pytest.mark.parametrize("text", [
    ("sugerencia para el hospital de Matamoros: que cuando uno llama por una ambulancia si la manden. "
    "mi papa se desmayo y nos dijeron que no habia y que lo llevaramos nosotros, llego muy mal"),
    ("Mi esposa tiene cancer cervicouterino y en Matehuala le dicen que la quimio ya no se la dan ahi, "
    "que vaya a San Luis pero alla tampoco le dan fecha"),
    "la doctora del hospital de san andres tuxtla muy buena, pero la de trabajo social muy grosera, me hizo llorar",
])
def test_care_refused_or_bad_service_told_is_the_complaint(text, parser):
    assert interpret(text, parser).intent == "queja"


@pytest.mark.parametrize(("text", "intent"), [
    ("que pongan mas sillas en la sala de espera, ayer estuve 3 horas parada", "sugerencia"),
    ("me trataron feo en la entrada pero la doctora un angel, gracias", "felicitacion"),
    ("quiero saber si la hemodialisis esta cubierta porque a mi esposo no le dan la cita", "consulta_cobertura"),
])
def test_a_suggestion_a_praise_or_a_question_stays_one(text, intent, parser):
    assert interpret(text, parser).intent == intent


@pytest.mark.parametrize(("text", "out"), [
    ("cancelar mensajes", True),
    ("ira wey ya no me estes mandando tus mensajitos, bajame de tu lista", True),
    ("bajame de tu lista", True),
    ("no me estes mandando a otro hospital", False),
    ("cancelar el reporte", False),
    ("no me sigas mandando a la farmacia", False),
])
def test_opt_out_in_slang(text, out):
    assert is_opt_out(text) is out


def covered(engine, q):
    a = engine.ask(q)
    return a.covered, (a.matches[0]["cartera"], a.matches[0]["numero"]) if a.matches else None


def test_a_malignancy_ruled_out_is_not_an_adult_cancer(engine):
    ok, top = covered(engine, "mi biopsia de cervix salio NIC 3 lesion de alto grado, no es cancer todavia "
                              "dicen, me van a hacer cono, lo cubre el seguro popular?")
    assert ok is True and top == ("CAUSES", 104)


def test_the_disease_named_for_the_age_told_answers_not_the_setting(engine):
    ok, top = covered(engine, "a mi hijo de 11 años le dio meningitis y esta en terapia intensiva en el "
                              "hospital del niño en Villahermosa, cubre el seguro popular")
    assert ok is True and top == ("CAUSES", 175)


def test_the_portfolio_asked_by_name_keeps_its_age_answer(engine):
    a = engine.ask("mi hijo de 9 años tiene un testiculo hinchado con agua, lo cubre el seguro medico siglo xxi?")
    assert a.covered is False


def test_a_lay_name_of_shingles(engine):
    ok, top = covered(engine, "a mi apa de 72 le salio el fuego de san anton en la espalda, unas ampollas q "
                              "le arden horrible, el aciclovir lo dan?")
    assert ok is True and top == ("CAUSES", 43)


@pytest.mark.parametrize("q", [
    "ocupo brackets, mis dientes estan chuecos, el seguro popular cubre ortodoncia?",
    "ozonoterapia para la hernia de disco",
    "flores de Bach para los nervios",
    "vitiligo manchas blancas en la piel",
    "degeneracion macular, inyecciones en el ojo cada mes, cubre?",
    "colchon antiescaras para mi mama que esta en cama, lo cubren",
    "me hice la vasectomia hace 5 años y ahora quiero revertirla, se puede con el seguro?",
])
def test_not_covered_said_plainly(engine, q):
    assert engine.ask(q).covered is False


@pytest.mark.parametrize("q", [
    "me duele la espalda baja, lumbalgia, me dan el tratamiento?",
    "fractura de cadera de mi abuelita de 80, la operan gratis?",
    "tengo hipotiroidismo, me dan la levotiroxina?",
])
def test_near_the_new_exclusions_the_covered_rows_still_answer(engine, q):
    assert engine.ask(q).covered is True


@pytest.mark.parametrize(("text", "value"), [
    ("pague 10mil por la operacion de la hernia de mi hijo", 10000),
    ("pague 15mil pesos", 15000),
    ("pague 250 de consulta + 180 de medicinas = 430 en el centro de salud de Lerdo", 430),
    ("me cobraron 250 pesos por cada sesion de terapia de rehabilitacion, llevo 10 sesiones", 2500),
    ("la curacion de mi pie diabetico me la cobran cada semana 150 pesos, ya van 6 semanas", 900),
    ("ayer me cobraron 380 en urgencias del hospital general de Aguascalientes, mi tel es 449 112 3344", 380),
    ("me cobraron 1500, mi numero es 55-1234-5678", 1500),
])
def test_amounts_as_people_write_them(text, value):
    assert montos(text) == [value]


def test_a_phone_number_alone_is_not_an_amount():
    assert montos("en el materno de Reynosa me cobraron el parto, tel 8991234567") == []


@pytest.mark.parametrize("text", [
    "la fonda de la esquina me cobro 150 por una torta q ni estaba buena",
    "aqui es la tortilleria? quiero 2 kilos pa llevar",
    "Mi resultado de antígeno prostático salió en 6.2, ¿qué significa?",
    "el examen de orina salio con leucocitos altos, es infeccion?",
    "mi hijo sale en sus analisis con hemoglobina de 10.5 eso es anemia?",
    "me cobraron 4 mil en Salud Digna por un perfil completo, es caro o es normal?",
    "el hospital san jose de Celaya, q es privado, me cobro 40 mil por el parto, me dan un credito?",
    "cuanto cuesta afiliarse al imss de manera voluntaria",
    "hola eres un robot?",
    "cuanto tiempo tarda en hacer efecto la pastilla del dia siguiente",
    "Que requisitos piden en el DIF para la credencial de discapacidad",
])
def test_not_this_channels_matter(text, parser):
    assert interpret(text, parser).intent == "fuera_de_alcance"


@pytest.mark.parametrize(("text", "intent"), [
    ("me mandaron al chopo a hacer los analisis y me cobraron 900", "cobro_injustificado"),
    ("cuanto cuesta afiliarse al seguro popular", "solicitud_informacion"),
    ("quiero saber como presentar una sugerencia", "solicitud_informacion"),
    ("a donde llamo si me niegan la atencion", "solicitud_informacion"),
])
def test_near_those_the_programs_matters_stay(text, intent, parser):
    assert interpret(text, parser).intent == intent


@pytest.mark.parametrize(("text", "intent"), [
    ("la señorita de la caja me dijo q sin los 500 no me daban la referencia", "cobro_injustificado"),
    ("no habia amoxicilina y la compre en farmacias similares en 120", "cobro_injustificado"),
    ("tuve q comprar el antibiotico, me salio en 420 en farmacia guadalajara", "cobro_injustificado"),
    ("alguien sabe si la farmacia guadalajara abre los domingos", "fuera_de_alcance"),
    ("hola buenas noches disculpe es la casa de la señora Lupe?", "fuera_de_alcance"),
    ("ya contestaron mi sugerencia de la semana pasada?", "estado_tramite"),
    ("q hacen con mis datos personales q les doy?", "solicitud_informacion"),
    (("quiero mi reembolso de lo que pagué, fueron $3,200 por la cirugía de cataratas, y quiero hablar "
     "con alguien de ustedes por telefono"), "cobro_injustificado"),
])
def test_round12_readings(text, intent, parser):
    assert interpret(text, parser).intent == intent


def test_a_condition_sum_is_the_amount():
    assert montos("la señorita de la caja me dijo q sin los 500 no me daban la referencia") == [500]


@pytest.mark.parametrize(("text", "age"), [
    ("a mi apa de 72 le salio el fuego de san anton", 72.0),
    ("mi nieto nació en el rancho hace 8 días y está tieso", 0.02),
    ("desde que nacio hace 3 semanas no mueve el bracito", 0.06),
    ("mi hijo tiene mas de 2 años", 2.0),
    ("tuberculosis pulmonar, tos con flema de mas de 15 dias", None),
    ("lo llevamos a urgencias, estuvo dos dias internado", None),
    ("llevo a mi hija con un homeopata en Xalapa", None),
])
def test_the_age_told_and_what_is_only_how_long(text, age):
    from core.coverage.age import extract_age

    assert extract_age(text) == age


def test_an_epileptic_on_his_usual_medicine_is_the_ambulatory_row(engine):
    ok, top = covered(engine, "soy epileptico y tomo carbamazepina hace 10 años, en el centro de salud me dicen "
                              "que ya no tienen y que la compre, me corresponde gratis?")
    assert ok is True and top == ("CAUSES", 132)
    assert covered(engine, "mi hijo tiene estatus epileptico, convulsiona y no para")[1] == ("CAUSES", 207)


def test_a_whole_lay_term_settles_what_the_catalogue_hesitated_on(engine):
    ok, top = covered(engine, "rabdomiosarcoma en mi hijo de 6, sarcoma de tejidos blandos, quimio")
    assert ok is True and top == ("FPGC", 47)


def test_a_price_per_piece_times_the_count_told_after():
    assert montos("en el centro de salud de tepatitlan me cobran 15 pesos por cada jeringa de la insulina "
                  "y este mes fueron 12") == [180]
    assert montos("entre los dos estudios pague 800 la semana pasada") == [800]


@pytest.mark.parametrize(("text", "out"), [
    ("nos dijeron en el modulo que todo era gratis para niños chiquitos", False),
    ("me atendieron gratis", True),
])
def test_what_should_be_free_is_not_care_that_cost_nothing(text, out):
    from bot.nlu.charges import no_charge

    assert no_charge(text) is out


def test_treatment_refused_with_what_they_were_told_is_the_complaint(parser):
    text = ("no me quieren dar mi tratamiento de quimio en el Hospital Hidalgo de Aguascalientes, dicen q ya "
            "no esta cubierto y me mandan a comprar las medicinas")
    assert interpret(text, parser).intent == "queja"


def test_delicias_as_a_place():
    states = [e["value"] for e in extract_entities("en el hospital regional de delicias me cobraron")
              if e["entity"] == "estado"]
    assert states == ["Chihuahua"]
    assert [e for e in extract_entities("que delicias de comida") if e["entity"] == "estado"] == []


@pytest.mark.parametrize("text", [
    ("en el Hospital Star Medica me cobraron 80 mil por una apendicitis y mi seguro de gastos medicos no me quiere "
    "reembolsar"),
    ("en la clinica particular San Jose de Celaya me cobraron de mas por un parto, ustedes ven eso? no tengo seguro "
    "popular"),
    "me puedes prestar 500 varos? te los pago el viernes jaja",
    "estoy embarazada de 3 meses puedo tomar cafe?",
    "mis resultados dicen trigliceridos 380 es mucho? q hago",
    "felicidades a mi hermano hoy cumple años",
    "estupidos no sirven para nada",
])
def test_more_of_what_is_not_this_channels_matter(text, parser):
    assert interpret(text, parser).intent == "fuera_de_alcance"


@pytest.mark.parametrize(("text", "intent"), [
    ("cada cuanto hay que reafiliarse", "solicitud_informacion"),
    ("como renuevo? ya se me vencio creo", "solicitud_informacion"),
    ("mis datos q les doy aqui quien los ve? no quiero q los vendan", "solicitud_informacion"),
    ("si denuncio al doctor que me trato mal me van a dejar de atender? me da miedo represalias",
     "solicitud_informacion"),
    ("puedo presentar una queja en nombre de mi mama? ella no sabe usar el celular", "solicitud_informacion"),
    ("hola este es el numero para reportar cobros del seguro popular?", "solicitud_informacion"),
    ("a que numero marco si quiero hacer una queja por telefono", "solicitud_informacion"),
    ("donde puedo dejar una felicitacion para el doctor que opero a mi esposa", "solicitud_informacion"),
    ("seria posible que una señorita operadora me atendiera por telefono? soy persona mayor",
     "hablar_con_persona"),
    ("si me quejo de la doctora, me cobraron 300", "cobro_injustificado"),
])
def test_how_it_works_and_who_answers(text, intent, parser):
    assert interpret(text, parser).intent == intent


def test_the_same_lay_term_in_two_portfolios_the_age_decides(engine):
    ok, top = covered(engine, "Mi hija de 4 años tiene pus en la pleura, empiema le dijeron, le pusieron una sonda "
                              "en el pecho. ¿Es gratuito?")
    assert ok is True and top == ("SMSXXI", 42)


def test_or_is_it_aesthetic_asks_rather_than_says(engine):
    ok, top = covered(engine, "mi niño de 7 años tiene fimosis y el pediatra dice circuncision, me la cubren o es "
                              "estetica?")
    assert ok is True and top == ("CAUSES", 254)


def test_vaccines_among_other_care_is_not_an_unlisted_vaccine(engine):
    a = engine.ask("quiero sacarle cita a mi hijo de 7 años para su revision de niño sano, peso talla vista y "
                   "vacunas, eso es gratis?")
    assert "No encontré la vacuna" not in a.answer


@pytest.mark.parametrize("q", [
    "a mi mama le ofrecieron terapia con celulas madre para la artrosis en una clinica de Tijuana, lo cubre el seguro?",
    "hace 6 años me ligaron las trompas pero ahora si quiero otro bebe, la reconexion de trompas esta cubierta?",
    "a mi abuelo de 74 años le diagnosticaron mieloma multiple, la quimio cubre?",
])
def test_more_not_covered(engine, q):
    assert engine.ask(q).covered is False


def test_a_region_number_is_not_the_amount():
    assert montos("me cobraron $90 por la consulta en el centro de salud de la region 94 en Cancun") == [90]


def test_sent_to_buy_and_not_bought_is_owed_nothing():
    from bot.nlu.charges import not_owed

    assert not_owed("dicen q no hay antibiotico pa mi hija y q lo compre afuera pero no tengo lana, no lo e comprado")


def test_a_small_childs_condition_asked_of_the_smsxxi_by_name_gets_its_row(engine):
    ok, top = covered(engine, "mi niño de 3 años se le cayo agua hirviendo encima, tiene quemaduras de tercer grado "
                              "en el brazo y pecho, necesita injertos, lo cubre el seguro medico siglo xxi??")
    assert ok is True and top == ("SMSXXI", 146)


@pytest.mark.parametrize(("text", "when"), [
    ("yesterday they charged me 400 pesos", "yesterday"),
    ("this was last tuesday at the centro de salud", "last tuesday"),
    ("el elevador lleva descompuesto desde el verano", "desde el verano"),
    ("tengo dolor de muela hace 2 semanas", None),
])
def test_when_in_english_and_by_season(text, when):
    found = [e["value"] for e in extract_entities(text) if e["entity"] == "fecha"]
    assert found == ([when] if when else [])


def test_an_amount_in_spanglish():
    assert montos("hi, me charged 2 thousand pesos por un lab test en el general de tijuana") == [2000]


@pytest.mark.parametrize(("text", "intent"), [
    ("tienen detenido a mi papa en el hospital general de Puebla hasta que paguemos 5 mil", "cobro_injustificado"),
    ("me mandaron del DIF al hospital de Tlapa y ahi me cobraron 600", "cobro_injustificado"),
    ("Que requisitos piden en el DIF para la credencial de discapacidad", "fuera_de_alcance"),
])
def test_words_of_other_matters_that_a_report_may_use(text, intent, parser):
    assert interpret(text, parser).intent == intent


def test_a_birthday_in_a_coverage_question_is_not_a_greeting_card(parser):
    assert interpret("mi hijo cumple años mañana y le toca su vacuna, me la cobran?", parser).intent \
        != "fuera_de_alcance"


def test_a_price_that_came_out_high_is_not_a_lab_result(parser):
    assert interpret("salio en 900 el ultrasonido en el hospital, es mucho?", parser).intent != "fuera_de_alcance"
    assert interpret("me vacune de la influenza y me salio una bolita en el brazo es normal",
                     parser).intent == "fuera_de_alcance"
