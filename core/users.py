"""Staff accounts: creation with a password policy (core/passwords), argon2 hashing, and the
lock-out, counted per (account, client address).

Five failed logins in a row for one e-mail from one address lock that pair for 15 minutes: a
brute force from one address is stopped, while a colleague logging in from elsewhere is not
locked out by a stranger's tries. Spraying many accounts from one address is bounded by the
per-IP rate limit of the login page (backoffice/auth.py). Failures are counted for e-mails with
no account too, so the lock-out says nothing about which accounts exist.
"""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.enums import Role
from core.errors import ValidationError
from core.estados import BY_CLAVE
from core.models import User
from core.models.system import LoginThrottle
from core.passwords import check_password_policy as _check_policy
from core.timeutil import now

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # throttle rows untouched this long are deleted
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX = 254  # an address's longest form (RFC 5321), the width of every e-mail column
NO_ADDRESS = "-"


def valid_email(text: str) -> bool:
    """The one check of an e-mail address (forms, the call center's file, staff accounts)."""
    return len(text) <= EMAIL_MAX and EMAIL_RE.match(text) is not None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str, *, email: str | None = None) -> None:
    """At least 12 characters, not a common password (core/passwords); ValidationError if not."""
    _check_policy(password, email=email)


def create_user(session: Session, actor: Actor, *, email: str, nombre: str, role: str, password: str,
                estado_clave: str | None = None, cargo: str | None = None) -> User:
    email = (email or "").strip().lower()
    if not valid_email(email):
        raise ValidationError("El correo electrónico no es válido.", fields={"email": "inválido"})
    if role not in Role.__members__.values():
        raise ValidationError("El perfil no es válido.", fields={"role": "inválido"})
    if role == Role.ENLACE and estado_clave not in BY_CLAVE:
        raise ValidationError("Un enlace necesita un estado.", fields={"estado": "requerido"})
    if role != Role.ENLACE:
        estado_clave = None
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise ValidationError("Ya existe un usuario con ese correo.", fields={"email": "duplicado"})
    check_password_policy(password, email=email)
    user = User(email=email, nombre=(nombre or email).strip(), role=role, estado_clave=estado_clave,
                cargo=cargo, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "usuario_creado", data={"user_id": user.id, "role": role,
                                                         "estado": estado_clave})
    return user


def _key(email: str | None, ip: str | None) -> tuple[str, str]:
    return (email or "").strip().lower()[:EMAIL_MAX], (ip or NO_ADDRESS).strip()[:64] or NO_ADDRESS


def pair_locked_until(session: Session, email: str, ip: str | None):
    """When the (e-mail, address) pair's lock ends, or None when it is not locked."""
    key = _key(email, ip)
    until = session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.email == key[0],
                                                                    LoginThrottle.ip == key[1]))
    return until if until is not None and until > now() else None


def _record_failure(session: Session, email: str, ip: str) -> None:
    """One more failure for the pair (atomic increment); the fifth in a row locks the pair."""
    moment = now()
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.updated_at < moment - FORGET_AFTER,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < moment)))
    where = (LoginThrottle.email == email, LoginThrottle.ip == ip)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(email=email, ip=ip, failures=0, updated_at=moment)
                    .on_conflict_do_nothing())  # a concurrent failure of the pair may have made it
    session.execute(update(LoginThrottle).where(*where).values(
        failures=LoginThrottle.failures + 1, updated_at=moment).execution_options(synchronize_session=False))
    failures = session.scalar(select(LoginThrottle.failures).where(*where))
    if failures is not None and failures >= MAX_FAILED_LOGINS:
        session.execute(update(LoginThrottle).where(*where).values(
            failures=0, locked_until=moment + LOCKOUT).execution_options(synchronize_session=False))


def verify_login(session: Session, email: str, password: str, *, ip: str | None = None) -> User | None:
    """The user when the password matches, the account is active and this (e-mail, client
    address) pair is not locked. The caller commits (failures are counted either way)."""
    key_email, key_ip = _key(email, ip)
    if pair_locked_until(session, key_email, key_ip) is not None:
        _hasher.hash(password or "x")  # same cost as a real check; the password is not tried
        return None
    user = session.scalar(select(User).where(User.email == key_email))
    if user is None:
        _hasher.hash(password or "x")  # same cost whether or not the account exists
        _record_failure(session, key_email, key_ip)
        return None
    if not user.active or (user.locked_until and user.locked_until > now()):
        _hasher.hash(password or "x")
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        _record_failure(session, key_email, key_ip)
        return None
    session.execute(delete(LoginThrottle).where(LoginThrottle.email == key_email, LoginThrottle.ip == key_ip))
    user.failed_logins = 0
    user.last_login_at = now()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def unlock(session: Session, email: str) -> int:
    """Lift every lock on the account's e-mail (an admin re-activating it); returns how many."""
    result = session.execute(delete(LoginThrottle).where(LoginThrottle.email == _key(email, None)[0]))
    return result.rowcount or 0


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > now())
