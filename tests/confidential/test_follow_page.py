"""The public follow page (issue 17 item 9): folio + secret code → status and public answer only;
one neutral answer for every failure; rate limits per address and per folio."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backoffice import follow as follow_page
from core import follow
from core.actors import SYSTEM
from core.models import Case
from core.services import cases as svc
from tests.security.conftest import make_app
from tests.support.web import csrf_from, text

URL = "/seguimiento"


def _register(db, make, **kw) -> tuple[Case, str]:
    make.enlace("14")
    result = svc.register_case(db, SYSTEM, tipo="queja", canal="buzon", estado_clave="14",
                               description="En la clínica de Tonalá no había medicamento para la presión.",
                               contacto_nombre="Rosa Pérez Gómez", contacto_telefono="+523311112222",
                               follow_code=True, **kw)
    db.commit()
    return result.case, result.follow_code


def _ask(client, folio: str, code: str, ip: str = "198.51.100.7"):
    client.environ_base["REMOTE_ADDR"] = ip
    token = csrf_from(text(client.get(URL)))
    return client.post(URL, data={"csrf_token": token, "folio": folio, "codigo": code})


def test_code_is_shown_once_and_stored_hashed(db, make):
    case, code = _register(db, make)
    assert len(code) == follow.CODE_LENGTH and set(code) <= set(follow.ALPHABET)
    db.expire_all()
    stored = db.get(Case, case.id).follow_code_hash
    assert stored.startswith("$argon2") and code not in stored
    assert follow.public_status(db, case.folio, follow.display(code).lower()).status == "turnada"
    # registrations that do not ask for a code (imports, demo data) get none
    plain = make.case()
    assert plain.follow_code_hash is None and follow.public_status(db, plain.folio, code) is None


def test_page_shows_status_and_due_date_and_no_personal_data(client, db, make):
    case, code = _register(db, make, confidencial=True)
    resp = _ask(client, case.folio, follow.display(code))
    page = text(resp)
    assert resp.status_code == 200
    assert case.folio in page and "turnado al Seguro Popular de tu estado" in page
    assert case.open_volante.due_date.strftime("%d/%m/%Y") in page
    for private in ("Rosa", "3311112222", "Tonalá", "medicamento", "Jalisco"):
        assert private not in page


def test_concluded_case_shows_the_public_answer(client, db, make):
    case = make.filed_case()
    code = follow.issue(case)
    vinc = make.user("vinculacion")
    svc.accept_fur(db, case, make.actor(vinc))
    db.commit()
    page = text(_ask(client, case.folio, code))
    assert "concluido" in page
    assert "Ya puede acudir a su cita, le atenderán sin costo." in page
    assert "Se habló con el director" not in page  # the FUR's internal actions stay internal


@pytest.mark.parametrize("mistake", ["wrong_code", "unknown_folio", "malformed", "no_code"])
def test_every_failure_gets_the_same_neutral_answer(client, db, make, mistake):
    case, code = _register(db, make)
    other = make.case()  # a real folio that has no code
    folio, typed = {
        "wrong_code": (case.folio, "ABCD-EFGH"),
        "unknown_folio": ("SINAC-2026-999999", code),
        "malformed": ("123", "x"),
        "no_code": (other.folio, code),
    }[mistake]
    resp = _ask(client, folio, typed)
    page = text(resp)
    assert resp.status_code == 200
    assert follow_page.NEUTRAL in page
    assert 'data-testid="follow-result"' not in page and "turnado" not in page


def test_brute_force_from_one_address_is_limited(settings, db, make):
    case, _code = _register(db, make)
    client = make_app(settings, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    codes = [_ask(client, case.folio, f"AAAA-AA{n:02d}").status_code for n in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]


def test_guessing_one_folio_from_many_addresses_hits_the_folio_limit(settings, db, make):
    case, code = _register(db, make)
    other, other_code = _register(db, make)
    client = make_app(settings, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    codes = [_ask(client, case.folio, f"AAAA-AA{n:02d}", ip=f"203.0.113.{n}").status_code for n in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429
    assert _ask(client, case.folio, code, ip="203.0.113.99").status_code == 429  # until the day ends
    assert _ask(client, other.folio, other_code, ip="203.0.113.99").status_code == 200  # other folios are not


def test_a_successful_look_up_is_audited_with_the_address(client, db, make):
    from core.models import AuditEvent

    case, code = _register(db, make)
    _ask(client, case.folio, code, ip="192.0.2.44")
    db.expire_all()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "seguimiento_publico"))
    assert (event.case_id, event.ip) == (case.id, "192.0.2.44")
