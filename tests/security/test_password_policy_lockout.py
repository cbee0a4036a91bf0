"""Password policy (at least 12 characters, no common password, shipped list, no network) and a
lock-out counted per (account, client address): a brute force from one address is stopped, a
stranger failing from another address cannot lock a colleague out (issue 18, item 6)."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from core.actors import SYSTEM
from core.errors import ValidationError
from core.models import AuditEvent, User
from core.passwords import check_password_policy, common_passwords
from core.seed import DEMO_PASSWORD
from core.users import create_user, pair_locked_until, verify_login
from tests.builders import PASSWORD
from tests.security.conftest import CSRF_RE, make_app

WEAK = {
    "corta-1": "12 caracteres",
    "password12": "12 caracteres",  # the probe's example
    "password1234": "de las más usadas",
    "qwerty123456": "de las más usadas",
    "contraseña123": "de las más usadas",
    "Password2026!": "de las más usadas",
    "P@ssw0rd-2026": "de las más usadas",
    "Guadalupe2026!": "de las más usadas",
    "Seguro-Popular-1": "de las más usadas",
    "aaaaaaaaaaaaaa": "repetitiva",
    "123456789012": "repetitiva",
    "qwertyuiopasd": "repetitiva",
}
STRONG = ["Tres-tlayudas-99", "caballo correcto batería grapa", "Mi perro se llama Firulais", DEMO_PASSWORD,
          PASSWORD]


@pytest.mark.parametrize("password,reason", sorted(WEAK.items()))
def test_weak_passwords_are_refused_in_spanish(password, reason):
    with pytest.raises(ValidationError) as exc:
        check_password_policy(password)
    assert reason in exc.value.message and exc.value.fields == {"password": "débil"}


@pytest.mark.parametrize("password", STRONG)
def test_long_uncommon_passwords_are_accepted(password):
    check_password_policy(password, email="ana.lopez@sinac.local")


def test_the_common_list_ships_with_the_code():
    words = common_passwords()
    assert len(words) > 19_000
    assert {"password", "123456", "qwerty", "iloveyou", "contrasena", "tequiero", "sinac"} <= words


def test_the_account_own_email_is_refused(db):
    with pytest.raises(ValidationError, match="no debe contener tu correo"):
        check_password_policy("Jalisco-enlace-2027", email="enlace.jal@sinac.local")
    with pytest.raises(ValidationError, match="no debe contener tu correo"):
        create_user(db, SYSTEM, email="rosa.quintero@sinac.local", nombre="Rosa Quintero", role="vinculacion",
                    password="Quintero-tiene-3-gatos")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(User)) == 0


def _login(client, email: str, password: str, ip: str):
    token = CSRF_RE.search(client.get("/login", environ_base={"REMOTE_ADDR": ip}).get_data(as_text=True)).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_a_stranger_elsewhere_cannot_lock_a_colleague_out(settings, db, make):
    colleague = make.user("vinculacion")
    stranger = make_app(settings).test_client()
    codes = [_login(stranger, colleague.email, f"Adivinando-{n}-xyz", "203.0.113.66").status_code for n in range(8)]
    assert codes == [401] * 8
    assert pair_locked_until(db, colleague.email, "203.0.113.66") is not None
    office = make_app(settings).test_client()
    assert _login(office, colleague.email, PASSWORD, "198.51.100.20").status_code == 302  # not locked out


def test_a_brute_force_from_one_address_is_stopped_even_with_the_right_password(settings, db, make):
    target = make.user("vinculacion")
    attacker = make_app(settings).test_client()
    assert [_login(attacker, target.email, f"Intento-{n}-abc", "203.0.113.7").status_code
            for n in range(5)] == [401] * 5
    hit = _login(attacker, target.email, PASSWORD, "203.0.113.7")
    assert hit.status_code == 401
    assert "Demasiados intentos fallidos con este correo desde tu conexión" in hit.get_data(as_text=True)
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "login_fallido")))
    assert len(events) == 6 and {e.data["ip"] for e in events} == {"203.0.113.7"}
    with time_machine.travel(pair_locked_until(db, target.email, "203.0.113.7"), tick=False):
        assert _login(attacker, target.email, PASSWORD, "203.0.113.7").status_code == 302  # 15 minutes later


def test_the_lock_is_per_pair_and_success_resets_the_count(db, make):
    user, other = make.user("vinculacion"), make.user("vinculacion")
    for _ in range(4):
        assert verify_login(db, user.email, "Mala-clave-123", ip="10.0.0.1") is None
    assert verify_login(db, user.email, PASSWORD, ip="10.0.0.1") is not None  # success clears the count
    for _ in range(4):
        assert verify_login(db, user.email, "Mala-clave-123", ip="10.0.0.1") is None
    assert pair_locked_until(db, user.email, "10.0.0.1") is None
    assert verify_login(db, user.email, "Mala-clave-123", ip="10.0.0.1") is None  # the fifth in a row
    assert pair_locked_until(db, user.email, "10.0.0.1") is not None
    assert verify_login(db, other.email, PASSWORD, ip="10.0.0.1") is not None  # another account, same address
    assert verify_login(db, user.email, PASSWORD, ip="10.0.0.2") is not None  # same account, another address
    db.commit()


def test_unknown_accounts_lock_the_same_way(db):
    for _ in range(5):
        assert verify_login(db, "nadie@sinac.local", "Lo-que-sea-123", ip="10.0.0.9") is None
    assert pair_locked_until(db, "NADIE@sinac.local ", "10.0.0.9") is not None  # nothing tells them apart
    db.commit()


def test_reactivating_an_account_lifts_its_locks(client, db, make):
    from tests.support.web import login

    admin, user = make.user("admin"), make.user("vinculacion")
    for _ in range(5):
        verify_login(db, user.email, "Mala-clave-123", ip="10.0.0.1")
    db.commit()
    login(client, admin)
    token = CSRF_RE.search(client.get("/admin/").get_data(as_text=True)).group(1)
    client.post(f"/admin/usuarios/{user.id}/desactivar", data={"csrf_token": token})
    client.post(f"/admin/usuarios/{user.id}/activar", data={"csrf_token": token})
    db.expire_all()
    assert pair_locked_until(db, user.email, "10.0.0.1") is None
