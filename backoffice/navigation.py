"""The navigation bar per role; each area registers its entry here."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from core.enums import STAFF_ROLES as STAFF
from core.enums import Role


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: str
    roles: frozenset[str]


ALL = frozenset(Role)
READERS = frozenset({Role.VINCULACION, Role.PARTICIPACION_SOCIAL, Role.ADMIN})

# Every area's entry; an entry shows only once its endpoint exists and the role may use it.
NAV: tuple[NavEntry, ...] = (
    NavEntry("queue.index", "Volantes", ALL),
    NavEntry("conversations.index", "Conversaciones", STAFF),
    NavEntry("intake.new_case", "Registrar caso", STAFF),
    NavEntry("intake.callcenter_upload", "Archivo del centro de atención", STAFF),
    NavEntry("reports.dashboard", "Informe mensual", ALL),
    NavEntry("coverage_catalog.index", "Cartera de servicios", ALL),
    NavEntry("directory.index", "Directorio de enlaces", ALL),
    NavEntry("padron.lookup", "Padrón", frozenset({Role.ENLACE, Role.VINCULACION, Role.ADMIN})),
    NavEntry("notifications.index", "Avisos", ALL),
    NavEntry("simulator.index", "Simulador", STAFF),
    NavEntry("admin.index", "Administración", frozenset({Role.ADMIN})),
    NavEntry("queues.index", "Colas", frozenset({Role.ADMIN})),
)


def nav_items() -> list[dict]:
    from flask import current_app

    items = []
    for entry in NAV:
        if current_user.role not in entry.roles or entry.endpoint not in current_app.view_functions:
            continue
        url = url_for(entry.endpoint)
        items.append({"url": url, "label": entry.label, "active": request.path.startswith(url) and url != "/"})
    return items
