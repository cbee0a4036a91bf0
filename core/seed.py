"""Demo data: one enlace per state and one user of each national role. Idempotent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import SYSTEM
from core.enums import Role
from core.estados import ESTADOS
from core.models import Estado, User
from core.users import create_user

DEMO_PASSWORD = "Sinac-demo-2026"


def ensure_estados(session: Session) -> None:
    present = set(session.scalars(select(Estado.clave)))
    for e in ESTADOS:
        if e.clave not in present:
            session.add(Estado(clave=e.clave, nombre=e.nombre, abreviatura=e.abreviatura))
    session.flush()


def demo_users() -> list[dict]:
    users = [
        {"email": "vinculacion@sinac.local", "nombre": "Vinculación Social (demo)", "role": Role.VINCULACION},
        {"email": "dps@sinac.local", "nombre": "Dirección de Participación Social (demo)",
         "role": Role.PARTICIPACION_SOCIAL},
        {"email": "admin@sinac.local", "nombre": "Administración (demo)", "role": Role.ADMIN},
    ]
    for e in ESTADOS:
        users.append({"email": f"enlace.{e.abreviatura.lower()}@sinac.local",
                      "nombre": f"Enlace de Atención Ciudadana {e.nombre}", "role": Role.ENLACE,
                      "estado_clave": e.clave})
    return users


def seed(session: Session, password: str = DEMO_PASSWORD) -> list[dict]:
    """Create what is missing; returns the accounts created (email, role, estado)."""
    ensure_estados(session)
    existing = set(session.scalars(select(User.email)))
    created = []
    for spec in demo_users():
        if spec["email"] in existing:
            continue
        create_user(session, SYSTEM, password=password, **spec)
        created.append(spec)
    return created
