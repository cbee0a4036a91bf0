"""The `sinac` CLI against a migrated database."""

from __future__ import annotations

import json

from flask.cli import FlaskGroup

from backoffice.cli import register_commands


def _cli(app):
    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return group


def invoke(app, *args, input=None):
    runner = app.test_cli_runner()
    return runner.invoke(_cli(app), list(args), input=input, catch_exceptions=False)


def test_seed_is_idempotent_and_prints_credentials(app):
    first = invoke(app, "seed", "--password", "Demo-password-1")
    assert first.exit_code == 0
    assert "vinculacion@sinac.local" in first.output
    assert "enlace.jal@sinac.local" in first.output
    second = invoke(app, "seed")
    assert "ya existían" in second.output


def test_cases_list_json_with_filters(app, make):
    contact = make.contact("+52 33 1234 5678")
    make.enlace("14")
    make.case("cobro_injustificado", "14", contact=contact, monto=350, canal="whatsapp")
    make.case("queja", "09", canal="sms")
    result = invoke(app, "cases", "list", "--json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 2
    assert set(rows[0]) == {"folio", "tipo", "canal", "estado", "status", "monto", "telefono",
                            "created_at", "due_at"}
    jal = [json.loads(x) for x in invoke(app, "cases", "list", "--json", "--estado", "Jalisco").output.splitlines()]
    assert [(r["tipo"], r["estado"], r["monto"], r["telefono"]) for r in jal] == [
        ("cobro_injustificado", "Jalisco", 350.0, "+523312345678")]
    by_phone = invoke(app, "cases", "list", "--json", "--telefono", "3312345678").output.splitlines()
    assert len(by_phone) == 1
    assert invoke(app, "cases", "list", "--json", "--status", "concluida").output == ""
    bad = app.test_cli_runner().invoke(_cli(app), ["cases", "list", "--estado", "Narnia"])
    assert bad.exit_code != 0 and "Estado desconocido" in bad.output


def test_contacts_show(app, make):
    make.contact("+523312345678", estado_clave="14")
    out = json.loads(invoke(app, "contacts", "show", "+52 33 1234 5678", "--json").output)
    assert out == {"telefono": "+523312345678", "estado": "Jalisco", "opt_out": False, "handoff": False,
                   "consent_at": None}
    missing = app.test_cli_runner().invoke(_cli(app), ["contacts", "show", "+525500000000"])
    assert missing.exit_code != 0


def test_users_create(app):
    result = invoke(app, "users", "create", "--email", "Ana@Salud.gob.mx", "--nombre", "Ana",
                    "--role", "enlace", "--estado", "OAX", input="Tres-tlayudas-99\nTres-tlayudas-99\n")
    assert "ana@salud.gob.mx" in result.output
    weak = app.test_cli_runner().invoke(_cli(app), ["users", "create", "--email", "b@x.mx", "--nombre", "B",
                                                    "--role", "vinculacion"], input="123\n123\n")
    assert weak.exit_code != 0 and "12 caracteres" in weak.output
