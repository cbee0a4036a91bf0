"""The dialogue's state, kept in Contact.dialog_state (JSON).

    {"v": 1,
     "step": None | "form" | "confirm" | "resume" | "coverage_ask" | "coverage_clarify"
             | "coverage_after" | "info_menu" | "info_unknown" | "tramite",
     "form": {"tipo", "slots": {...}, "asking": slot | None, "msgs": [message ids],
              "amerita": bool | None, "misses": int} | None,
     "coverage": {"question", "options", "edad", "case_id"} | None,
     "info": {"question"} | None,
     "media": [ids of media messages received outside a form],
     "fallbacks": consecutive messages not understood,
     "last_case": {"id", "folio"} of the last report registered here (a receipt photo sent
                  afterwards is attached to it),
     "last_at": ISO time of the user's last processed message}
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm.attributes import flag_modified

VERSION = 1
FORM_STEPS = ("form", "confirm")


def load(contact) -> dict:
    raw = contact.dialog_state if isinstance(contact.dialog_state, dict) else {}
    state = copy.deepcopy(raw)
    if state.get("v") != VERSION:
        state = {"v": VERSION}
    state.setdefault("step", None)
    state.setdefault("form", None)
    state.setdefault("coverage", None)
    state.setdefault("info", None)
    state.setdefault("media", [])
    state.setdefault("fallbacks", 0)
    state.setdefault("last_at", None)
    state.setdefault("last_case", None)
    return state


def save(contact, state: dict) -> None:
    contact.dialog_state = copy.deepcopy(state)
    flag_modified(contact, "dialog_state")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_at(state: dict) -> datetime | None:
    raw = state.get("last_at")
    if not raw:
        return None
    try:
        return _aware(datetime.fromisoformat(raw))
    except ValueError:
        return None


def is_expired(state: dict, at: datetime, idle_minutes: int) -> bool:
    previous = last_at(state)
    if previous is None or idle_minutes <= 0:
        return False
    return _aware(at) - previous > timedelta(minutes=idle_minutes)


def touch(state: dict, at: datetime) -> None:
    previous = last_at(state)
    at = _aware(at)
    if previous is None or at > previous:
        state["last_at"] = at.isoformat()


def has_pending(state: dict) -> bool:
    """Anything the user could want to pick up after a pause."""
    return bool(state.get("form")) or state.get("step") not in (None,)


def clear_flow(state: dict, *, keep_form: bool = False) -> None:
    """Leave whatever sub-flow was running; optionally keep the form being filled."""
    state["coverage"] = None
    state["info"] = None
    if keep_form and state.get("form"):
        state["step"] = "confirm" if form_complete_flag(state) else "form"
    else:
        state["form"] = None
        state["step"] = None


def form_complete_flag(state: dict) -> bool:
    form = state.get("form") or {}
    return bool(form.get("ready"))
