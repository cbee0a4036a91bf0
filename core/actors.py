"""Who performs a domain action: a staff user, the bot or the scheduler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str
    role: str | None = None
    estado_clave: str | None = None

    @classmethod
    def from_user(cls, user) -> Actor:
        return cls(id=user.id, label=user.email, role=user.role, estado_clave=user.estado_clave)

    @property
    def is_automatic(self) -> bool:
        return self.id is None


BOT = Actor(None, "bot", "bot")
SYSTEM = Actor(None, "sistema", "system")
