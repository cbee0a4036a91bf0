"""Staff accounts: creation with a password policy, argon2 hashing, lock-out bookkeeping."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.enums import Role
from core.errors import ValidationError
from core.estados import BY_CLAVE
from core.models import User
from core.timeutil import now

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_policy(password: str) -> None:
    if len(password or "") < 10 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValidationError(
            "La contraseña debe tener al menos 10 caracteres, con letras y números.",
            fields={"password": "débil"},
        )


def create_user(session: Session, actor: Actor, *, email: str, nombre: str, role: str, password: str,
                estado_clave: str | None = None, cargo: str | None = None) -> User:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise ValidationError("El correo electrónico no es válido.", fields={"email": "inválido"})
    if role not in Role.__members__.values():
        raise ValidationError("El perfil no es válido.", fields={"role": "inválido"})
    if role == Role.ENLACE and estado_clave not in BY_CLAVE:
        raise ValidationError("Un enlace necesita un estado.", fields={"estado": "requerido"})
    if role != Role.ENLACE:
        estado_clave = None
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise ValidationError("Ya existe un usuario con ese correo.", fields={"email": "duplicado"})
    check_password_policy(password)
    user = User(email=email, nombre=(nombre or email).strip(), role=role, estado_clave=estado_clave,
                cargo=cargo, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    audit.record(session, actor, "usuario_creado", data={"user_id": user.id, "role": role,
                                                         "estado": estado_clave})
    return user


def verify_login(session: Session, email: str, password: str) -> User | None:
    """The user when the password matches and the account is active and not locked."""
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        _hasher.hash(password or "x")  # same cost whether or not the account exists
        return None
    if not user.active or (user.locked_until and user.locked_until > now()):
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now() + LOCKOUT
            user.failed_logins = 0
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > now())
