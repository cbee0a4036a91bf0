"""Canned responses in the domain (issue 17 item 4): placeholders checked on save with a clear
Spanish message, filled from the case, scoped national + estado, managed by admins only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import canned
from core.enums import Role
from core.errors import PermissionDenied, ValidationError
from core.models import AuditEvent


@pytest.fixture
def admin(make):
    return make.actor(make.user(Role.ADMIN))


def test_unknown_placeholder_is_refused_naming_it_and_the_available_ones(db, admin):
    with pytest.raises(ValidationError) as err:
        canned.save(db, admin, titulo="Cita", cuerpo="Su cita en {clinica} quedó el {fecha}.", estado_clave=None)
    assert "un campo que no existe: {clinica}" in err.value.message
    assert "{folio}" in err.value.message and "{nombre_unidad}" in err.value.message
    assert err.value.fields == {"cuerpo": "campo"}
    for bad in ("Folio {folio", "Folio {}", "Folio {0}", "{folio.upper}", "{folio!r}", "{monto:>10}"):
        with pytest.raises(ValidationError):
            canned.save(db, admin, titulo="Mala", cuerpo=bad, estado_clave=None)
    saved = canned.save(db, admin, titulo="Llaves", cuerpo="Use {{folio}} tal cual: {folio}", estado_clave=None)
    assert saved.id and canned.placeholders_in(saved.cuerpo) == ["folio"]


def test_only_admins_manage_templates(db, make):
    for role in (Role.ENLACE, Role.VINCULACION, Role.PARTICIPACION_SOCIAL):
        user = make.user(role, "14" if role == Role.ENLACE else None)
        with pytest.raises(PermissionDenied):
            canned.save(db, make.actor(user), titulo="T", cuerpo="Texto", estado_clave=None)


def test_fill_from_the_case_and_bracket_what_it_lacks(db, make, admin):
    make.enlace("14")
    case = make.case("cobro_injustificado", "14", monto=Decimal(1250), unidad="Hospital Civil de Guadalajara",
                     contacto_nombre="Rosa Gómez", fecha_hechos=date(2026, 11, 3))
    t = canned.save(db, admin, estado_clave=None, titulo="Reembolso",
                    cuerpo="{nombre}: su folio {folio} ({tipo}, {estado}) por {monto} en {nombre_unidad}, "
                           "hechos del {fecha_hechos}; hoy {fecha}; vence {vence}.")
    text = canned.fill(t, case, today=date(2026, 12, 7))
    assert text.startswith(f"Rosa Gómez: su folio {case.folio} (Cobro injustificado, Jalisco) por $1,250.00 en "
                           "Hospital Civil de Guadalajara, hechos del martes 3 de noviembre de 2026; "
                           "hoy lunes 7 de diciembre de 2026; vence ")
    bare = make.case("queja", "14")
    assert canned.fill("Unidad: {nombre_unidad}; {nombre}", bare) == \
        "Unidad: [nombre de la unidad de salud]; [nombre de la persona afiliada]"


def test_a_state_sees_national_and_its_own_active_templates(db, admin):
    nacional = canned.save(db, admin, titulo="Aviso", cuerpo="Folio {folio}", estado_clave=None)
    jalisco = canned.save(db, admin, titulo="Jalisco", cuerpo="Jalisco {folio}", estado_clave="14")
    canned.save(db, admin, titulo="Nuevo León", cuerpo="NL {folio}", estado_clave="19")
    apagada = canned.save(db, admin, titulo="Vieja", cuerpo="Vieja", estado_clave=None)
    canned.set_active(db, admin, apagada, False)
    assert [t.id for t in canned.available(db, "14")] == [jalisco.id, nacional.id]
    assert [t.id for t in canned.available(db, None)] == [nacional.id]
    with pytest.raises(ValidationError, match="Elige una respuesta predefinida"):
        canned.usable(db, apagada.id, "14")
    actions = [e.action for e in db.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("plantilla_creada") == 4 and "plantilla_desactivada" in actions


def test_same_title_twice_in_the_same_scope_is_refused(db, admin):
    canned.save(db, admin, titulo="Cita", cuerpo="A", estado_clave="14")
    canned.save(db, admin, titulo="Cita", cuerpo="B", estado_clave="19")  # another scope: fine
    with pytest.raises(ValidationError, match="Ya hay una plantilla con ese título"):
        canned.save(db, admin, titulo="Cita", cuerpo="C", estado_clave="14")
