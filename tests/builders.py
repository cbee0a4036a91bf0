"""Test data builders in one place."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.actors import BOT, SYSTEM, Actor
from core.enums import Role
from core.models import Contact, User
from core.phones import normalize_phone
from core.services import cases as svc
from core.users import create_user

PASSWORD = "Prueba-segura-123"


class Builders:
    def __init__(self, session):
        self.session = session
        self._n = 0

    def user(self, role: str = Role.VINCULACION, estado_clave: str | None = None, **kw) -> User:
        self._n += 1
        email = kw.pop("email", f"{role}{self._n}@test.local")
        user = create_user(self.session, SYSTEM, email=email, nombre=kw.pop("nombre", email), role=role,
                           password=kw.pop("password", PASSWORD), estado_clave=estado_clave, **kw)
        self.session.commit()
        return user

    def enlace(self, estado_clave: str = "14", **kw) -> User:
        return self.user(Role.ENLACE, estado_clave, **kw)

    def actor(self, user: User) -> Actor:
        return Actor.from_user(user)

    def contact(self, phone: str = "+5213312345678", channel: str = "whatsapp", **kw) -> Contact:
        phone = normalize_phone(phone)
        contact = self.session.scalar(select(Contact).where(Contact.phone == phone))
        if contact is None:
            contact = Contact(phone=phone, channel=channel, **kw)
            self.session.add(contact)
            self.session.commit()
        return contact

    def case(self, tipo: str = "queja", estado_clave: str | None = "14", canal: str = "whatsapp",
             actor: Actor = BOT, route: bool = True, **kw):
        kw.setdefault("description", "No me quisieron atender en el centro de salud")
        result = svc.register_case(self.session, actor, tipo=tipo, canal=canal, estado_clave=estado_clave,
                                   route=route, **kw)
        self.session.commit()
        return result.case

    def fur_data(self, **overrides) -> dict:
        data = {
            "fecha_respuesta": date(2026, 11, 20),
            "acciones": "Se habló con el director de la unidad.",
            "respuesta_ciudadano": "Ya puede acudir a su cita, le atenderán sin costo.",
            "resultado": "favorable",
        }
        data.update(overrides)
        return data

    def filed_case(self, tipo: str = "queja", estado_clave: str = "14", **kw):
        enlace = self.session.scalar(select(User).where(User.role == Role.ENLACE, User.estado_clave == estado_clave))
        enlace = enlace or self.enlace(estado_clave)
        case = self.case(tipo=tipo, estado_clave=estado_clave, **kw)
        extra = {"monto_reclamado": 500, "monto_reembolsado": 500, "fecha_reembolso": date(2026, 11, 21)} \
            if tipo == "cobro_injustificado" else {}
        svc.save_fur(self.session, case.open_volante, self.actor(enlace), self.fur_data(**extra), submit=True)
        self.session.commit()
        return case
