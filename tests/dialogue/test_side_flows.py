"""Coverage questions, information answers, folio status: every contact is registered."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialogue import info
from core.actors import BOT
from core.models import Case
from core.services import cases as svc
from tests.dialogue.conftest import joined


def cases(db, **filters):
    query = select(Case).order_by(Case.id)
    for name, value in filters.items():
        query = query.where(getattr(Case, name) == value)
    return db.scalars(query).all()


# --------------------------------------------------------------------------- coverage


def test_coverage_question_is_answered_and_registered(phone, db):
    phone.send("hola")
    text = joined(phone.send("¿el seguro popular cubre el parto?"))
    assert "CAUSES" in text and "sin costo" in text
    [case] = cases(db)
    assert case.tipo == "consulta_cobertura" and case.status == "atendida"
    assert case.topic and "parto" in case.topic.lower()
    assert "parto" in case.description


def test_coverage_by_menu_number_asks_what_to_look_up(phone, db):
    phone.send("hola")
    assert "padecimiento" in joined(phone.send("3"))
    text = joined(phone.send("diabetes"))
    assert "CAUSES" in text
    assert cases(db)[0].tipo == "consulta_cobertura"


def test_coverage_clarification_takes_a_number(phone, db, monkeypatch):
    from core.coverage.engine import CoverageAnswer

    class Engine:
        def __init__(self):
            self.asked = []

        def ask(self, text, edad=None):
            self.asked.append((text, edad))
            if text == "Cáncer de mama":
                return CoverageAnswer("FPGC", True, edad, [], "Sí, lo cubre el FPGC: cáncer de mama.", topic="Cáncer de mama")
            return CoverageAnswer("FPGC", True, edad, [], "Hay varias opciones: 1) Cáncer de mama, 2) Cáncer de esófago. ¿Cuál te interesa?",
                                  clarify=["Cáncer de mama", "Cáncer de esófago"], topic="Cáncer")

    engine = Engine()
    monkeypatch.setattr("bot.dialogue.coverage._coverage_engine", lambda: engine)
    phone.send("hola")
    assert "¿Cuál te interesa?" in joined(phone.send("¿cubren el cáncer?"))
    assert "cáncer de mama" in joined(phone.send("1"))
    assert engine.asked[-1][0] == "Cáncer de mama"
    [case] = cases(db)
    assert case.topic == "Cáncer de mama"  # the registered contact gets the chosen topic
    assert phone.contact.dialog_state["step"] == "coverage_after"  # ready for a follow-up question


def test_not_covered_offers_a_person_or_a_volante(phone, make, db):
    make.enlace("20")
    phone.send("hola")
    text = joined(phone.send("¿cubren la cirugía estética de nariz?"))
    assert "6" in text and "4" in text
    ask = joined(phone.send("4"))
    assert "estado" in ask.lower()
    summary = joined(phone.send("Oaxaca"))
    assert "Solicitud de información" in summary and "Responde SI o NO" in summary
    done = joined(phone.send("si"))
    volante = cases(db, tipo="solicitud_informacion")[0]
    assert volante.amerita_gestion is True and volante.status == "turnada" and volante.estado_clave == "20"
    assert "estética" in volante.description and volante.folio in done


# --------------------------------------------------------------------------- information


def test_information_answer_from_content_is_registered_as_atendida(phone, db):
    phone.send("hola")
    text = joined(phone.send("¿qué documentos necesito para afiliarme?"))
    assert "comprobante de domicilio" in text
    [case] = cases(db)
    assert case.tipo == "solicitud_informacion" and case.status == "atendida" and case.amerita_gestion is False
    assert case.topic


def test_information_menu_by_number(phone, db):
    phone.send("hola")
    menu = joined(phone.send("4"))
    titles = [t.titulo for t in info.temas()]
    assert all(t in menu for t in titles)
    index = next(i for i, t in enumerate(info.temas(), start=1) if t.id == "portabilidad")
    text = joined(phone.send(str(index)))
    assert "cualquier estado" in text
    assert cases(db)[0].topic == info.by_id("portabilidad").titulo


def test_me_dieron_de_baja_del_seguro_is_a_question_not_an_opt_out(phone, db):
    phone.send("hola")
    text = joined(phone.send("me dieron de baja del seguro"))
    assert phone.contact.opt_out is False
    assert "MAO" in text or "queja" in text.lower()


def test_unknown_question_offers_volante_or_handoff(phone, db):
    phone.send("hola")
    text = joined(phone.send("¿cuándo abren la nueva clínica en mi colonia para información?"))
    assert ("4" in text and "6" in text) or "asesor" in text
    text = joined(phone.send("6"))
    assert phone.contact.handoff is True


def test_content_file_is_complete():
    temas = info.temas()
    ids = {t.id for t in temas}
    assert {"afiliacion", "renovacion", "vigencia", "documentos", "derechos", "portabilidad"} <= ids
    for tema in temas:
        assert tema.titulo and tema.keywords and 40 < len(tema.respuesta) <= 400
    assert info.match("cómo renuevo mi póliza").id == "renovacion"
    assert info.match("hasta cuándo está vigente mi póliza").id == "vigencia"
    assert info.match("me voy a otro estado, me atienden allá?").id == "portabilidad"
    assert info.match("cuáles son mis derechos").id == "derechos"
    assert info.match("el clima de mañana") is None


# --------------------------------------------------------------------------- folio status


def _register(db, contact, tipo="queja", estado="14"):
    case = svc.register_case(db, BOT, tipo=tipo, canal="whatsapp", estado_clave=estado, contact=contact,
                             description="No me atendieron").case
    db.commit()
    return case


def test_status_of_own_folio_written_sloppily(phone, db, make):
    make.enlace("14")
    phone.send("hola")
    case = _register(db, phone.contact)
    number = int(case.folio.rsplit("-", 1)[1])
    year = case.folio.split("-")[1]
    for written in (case.folio, f"sinac {year}/{number}", f"folio {number}", f"{year} {number}"):
        text = joined(phone.send(f"¿cómo va mi reporte {written}?" if " " in written else written))
        assert case.folio in text and "turnado" in text, written
        assert case.open_volante.due_date.strftime("%d/%m/%Y") in text


def test_never_reveals_other_phones_cases(phone, other_phone, db):
    other_phone.send("hola")
    theirs = _register(db, other_phone.contact)
    phone.send("hola")
    text = joined(phone.send(f"quiero saber el estado de mi folio {theirs.folio}"))
    assert "No encontré ese folio entre tus reportes" in text
    assert theirs.folio not in text.replace(theirs.folio, "", 0) or "turnado" not in text
    text = joined(phone.send("folio 1"))
    assert "No encontré" in text and "turnado" not in text


def test_without_folio_lists_the_phone_open_cases(phone, other_phone, db):
    phone.send("hola")
    other_phone.send("hola")
    mine = [_register(db, phone.contact), _register(db, phone.contact, tipo="cobro_injustificado")]
    theirs = _register(db, other_phone.contact)
    closed = _register(db, phone.contact, tipo="solicitud_informacion")  # atendida: not open
    text = joined(phone.send("5"))
    assert all(c.folio in text for c in mine)
    assert theirs.folio not in text and closed.folio not in text
    # the next message can be just the number of one of them
    number = int(mine[1].folio.rsplit("-", 1)[1])
    assert mine[1].folio in joined(phone.send(str(number)))


def test_no_open_cases(phone):
    phone.send("hola")
    assert "No tienes reportes abiertos" in joined(phone.send("¿cómo va mi trámite?"))


def test_coverage_prompt_ignores_small_talk_and_empty_questions(phone, db):
    phone.send("hola")
    phone.send("3")
    assert "padecimiento" in joined(phone.send("?"))
    assert "Con gusto" in joined(phone.send("gracias"))
    assert cases(db) == []  # nothing looked up, nothing registered


def test_disease_named_alone_and_follow_up_question(phone, db):
    phone.send("hola")
    text = joined(phone.send("cataratas"))
    assert "CAUSES" in text
    text = joined(phone.send("¿y la diabetes?"))
    assert "diabetes" in text.lower() and "CAUSES" in text
    assert [c.tipo for c in cases(db)] == ["consulta_cobertura", "consulta_cobertura"]
    # a new request after the answer is handled as such
    assert "qué pasó" in joined(phone.send("1"))


def test_follow_up_after_a_clarified_answer(phone, db):
    phone.send("hola")
    assert "opciones" in joined(phone.send("¿cubren las fracturas?"))
    assert "CAUSES" in joined(phone.send("2"))
    text = joined(phone.send("¿y la de cadera?"))
    assert "cadera" in text.lower()
    assert all(c.tipo == "consulta_cobertura" for c in cases(db))
