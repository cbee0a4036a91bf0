"""Per-state isolation over EVERY route of the app (enumerated from url_map, so new routes are
covered automatically): an enlace asking with another state's case, volante, FUR, attachment,
message, note or contact ids gets 404 (or 403 where the page is not for enlaces), and no page,
search, count or export shows the other state's data."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select
from werkzeug.routing import BuildError

from backoffice.uploads import store_upload
from core.models import Attachment, Message, Note, Volante
from core.timeutil import now
from tests.support.web import login

OTHER_PHONE = "+528187654321"
OTHER_CURP = "PEXJ900202HNLRRN04"
MARKER = "Secreto-de-Nuevo-Leon-7731"
# URL arguments that name a case-bound record: another state's one must never answer 200.
CASE_BOUND = {"case_id", "volante_id", "fur_id", "attachment_id", "message_id", "note_id", "contact_id",
              "review_id", "folio"}
SKIP_ENDPOINTS = {"static", "auth.logout"}


class _Upload:
    def __init__(self, data: bytes, name: str):
        self.stream = io.BytesIO(data)
        self.filename = name


@pytest.fixture
def world(make, db, settings):
    """Jalisco (14): the enlace's own state. Nuevo León (19): someone else's, full of secrets."""
    from core.services import cases as svc

    enlace = make.enlace("14")
    nl_enlace = make.enlace("19")
    own = make.case(estado_clave="14", description="Queja propia de Jalisco")
    contact = make.contact(OTHER_PHONE, handoff=True, handoff_at=now())
    other = make.case(estado_clave="19", contact=contact, curp=OTHER_CURP, description=f"{MARKER} me cobraron",
                      contacto_telefono=OTHER_PHONE)
    volante = other.open_volante
    svc.save_fur(db, volante, make.actor(nl_enlace), make.fur_data(respuesta_ciudadano=f"{MARKER} respuesta"),
                 submit=False)
    db.commit()
    stored = store_upload(_Upload(b"%PDF-1.4 " + MARKER.encode(), "evidencia.pdf"), settings)
    att = Attachment(case_id=other.id, fur_id=volante.fur.id, filename=f"{MARKER}.pdf",
                     content_type=stored.content_type, size=stored.size, storage_key=stored.storage_key)
    msg = Message(contact_id=contact.id, case_id=other.id, direction="inbound", channel="whatsapp",
                  body=f"{MARKER} mensaje", status="processed")
    db.add_all([att, msg])
    db.flush()
    msg_att = Attachment(message_id=msg.id, filename="foto.jpg", content_type="image/jpeg", size=1,
                         storage_key=stored.storage_key)
    note = Note(case_id=other.id, body=f"{MARKER} nota")
    db.add_all([msg_att, note])
    db.commit()
    ids = {"case_id": other.id, "volante_id": volante.id, "fur_id": volante.fur.id, "attachment_id": att.id,
           "message_id": msg.id, "note_id": note.id, "contact_id": contact.id,
           "review_id": volante.fur.id, "folio": other.folio}
    secrets = [other.folio, MARKER, OTHER_PHONE, OTHER_PHONE.lstrip("+"), "8187654321", OTHER_CURP]
    return {"enlace": enlace, "own": own, "other": other, "ids": ids, "secrets": secrets,
            "msg_att_id": msg_att.id}


@pytest.fixture
def iso_client(settings, db):
    from backoffice.app import create_app

    app = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    return app.test_client()


def _value(name: str, converter: str, ids: dict):
    if name in ids:
        return ids[name]
    if converter in ("IntegerConverter",):
        return ids["case_id"]
    return "19"


def _requests(app, ids):
    """(method, url, case_bound, endpoint) for every route and method, with the other state's ids."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        values = {name: _value(name, type(conv).__name__, ids) for name, conv in rule._converters.items()}
        try:
            url = adapter.build(rule.endpoint, values, force_external=False)
        except (BuildError, ValueError):  # a route with an argument type this sweep cannot fill
            pytest.fail(f"cannot build {rule.rule}: teach test_isolation its arguments")
        bound = bool(CASE_BOUND & set(rule.arguments))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, bound, rule.endpoint
            if method == "GET" and not bound:
                # lists, searches, exports: ask for the other state's data explicitly
                sep = "&" if "?" in url else "?"
                # search terms are parts of the secrets, so a page that only repeats what was typed
                # does not count as a leak, while a result row (full folio, full text) does
                suffix = ids["folio"][-6:]
                for params in ({"q": suffix, "estado": "19", "status": "todos", "folio": suffix, "case_id": ids["case_id"],
                                "format": "csv"}, {"q": MARKER[8:]}, {"q": "81 8765 4321", "telefono": "81 8765 4321"}):
                    query = "&".join(f"{k}={v}" for k, v in params.items())
                    yield method, f"{url}{sep}{query}", False, rule.endpoint


def _readable(data: bytes) -> str:
    """Response text; an XLSX/ZIP export is opened so its sheets are searched too."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return data.decode("utf-8", "replace")


def test_enlace_never_reaches_another_states_data(iso_client, world):
    client = iso_client
    login(client, world["enlace"])
    # positive control: the enlace does see their own state's case
    assert client.get(f"/casos/{world['own'].id}").status_code == 200
    failures = []
    checked = bound_checked = 0
    for method, url, bound, endpoint in _requests(client.application, world["ids"]):
        resp = client.open(url, method=method, data={})
        checked += 1
        bound_checked += bound
        body = _readable(resp.get_data())
        if resp.status_code >= 500 and resp.status_code != 503:  # 503: readiness without Redis
            failures.append(f"{method} {url} ({endpoint}): {resp.status_code}")
        if bound and resp.status_code not in (403, 404):
            failures.append(f"{method} {url} ({endpoint}): {resp.status_code}, expected 404/403")
        for secret in world["secrets"]:
            if secret in body:
                failures.append(f"{method} {url} ({endpoint}): leaks {secret!r}")
        # the sweep must not have logged the enlace out
        assert client.get("/volantes/").status_code == 200, f"logged out after {method} {url}"
    assert checked > 20 and bound_checked >= 15
    assert not failures, "\n".join(failures)


def test_message_attachment_and_counts_of_other_state(iso_client, world, db):
    client = iso_client
    login(client, world["enlace"])
    assert client.get(f"/adjuntos/{world['msg_att_id']}").status_code == 404
    html = client.get("/volantes/").get_data(as_text=True)
    own_open = db.scalar(select(Volante).where(Volante.case_id == world["own"].id))
    assert own_open is not None
    assert 'data-status="turnada">1<' in html  # only the own state's turned case is counted
    assert 'data-status="vencidos">0<' in html
    assert "1 resultado" in html


def test_vinculacion_sees_both_states(iso_client, world, make):
    client = iso_client
    login(client, make.user("vinculacion"))
    assert client.get(f"/casos/{world['other'].id}").status_code == 200
    assert client.get(f"/adjuntos/{world['ids']['attachment_id']}").status_code == 200
    html = client.get("/volantes/").get_data(as_text=True)
    assert world["other"].folio in html and world["own"].folio in html
