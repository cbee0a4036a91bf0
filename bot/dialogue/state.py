"""The dialogue's state, kept in Contact.dialog_state (JSON), and the steps it can wait at.

    {"v": 1,
     "step": None | a Step value (below),
     "form": FormState | None,
     "coverage": {"question", "options", "edad", "case_id", "covered"} | None,
     "info": {"question"} | None,
     "reopen": {"folio", "reason"} | None (Step.REOPEN),
     "media": [ids of media messages received outside a form],
     "place": {"estado_clave", "unidad"} named on its own before any report (used by the next
              report's form, dropped when the session expires),
     "fallbacks": consecutive messages not understood,
     "last_case": {"id", "folio"} of the last report registered here (a receipt photo sent
                  afterwards is attached to it),
     "last_at": ISO time of the user's last processed message}

An unknown step read back (an older release, a hand-edited row) is dropped, never guessed.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypedDict

from sqlalchemy.orm.attributes import flag_modified

VERSION = 1


class Step(StrEnum):
    """Where the conversation waits; stored in Contact.dialog_state["step"] as its value."""

    FORM = "form"  # filling the report's slots
    CONFIRM = "confirm"  # the summary was shown; sí registers
    RESUME = "resume"  # after a long pause: carry on with the pending report?
    COVERAGE_ASK = "coverage_ask"  # "¿qué quieres saber si se cubre?"
    COVERAGE_CLARIFY = "coverage_clarify"  # several interventions match: which one
    COVERAGE_AFTER = "coverage_after"  # answered; a short follow-up is another question
    INFO_MENU = "info_menu"  # the list of information topics was shown
    INFO_UNKNOWN = "info_unknown"  # no answer; 4 sends the question to a person
    TRAMITE = "tramite"  # the open reports were listed; which folio
    SAME_MATTER = "same_matter"  # the report looks like an earlier folio's: the same matter?
    REOPEN = "reopen"  # a closed folio was not solved: reopen it?

    @classmethod
    def of(cls, raw) -> Step | None:
        try:
            return cls(raw) if raw else None
        except ValueError:
            return None


FORM_STEPS = (Step.FORM, Step.CONFIRM, Step.SAME_MATTER)


class FormState(TypedDict, total=False):
    tipo: str  # core.enums.Tipo value; follows the story ("queja" that tells of a charge → cobro)
    slots: dict  # description, estado_clave, monto, unidad, fecha, concepto, curp, ...
    asking: str | None  # the slot the last question asked for
    msgs: list[int]  # message ids that go with the report (and their media)
    amerita: bool | None
    misses: int  # answers in a row that filled nothing
    ready: bool  # every required slot filled: the summary was (or will be) shown
    intro: str  # a first message that announced the report without telling it


class DialogState(TypedDict, total=False):
    v: int
    step: str | None
    form: FormState | None
    coverage: dict | None
    info: dict | None
    reopen: dict | None
    media: list[int]
    place: dict | None
    fallbacks: int
    last_case: dict | None
    last_at: str | None


def load(contact) -> DialogState:
    raw = contact.dialog_state if isinstance(contact.dialog_state, dict) else {}
    state = copy.deepcopy(raw)
    if state.get("v") != VERSION:
        state = {"v": VERSION}
    step = Step.of(state.get("step"))
    state["step"] = step.value if step else None
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
        state["step"] = (Step.CONFIRM if form_complete_flag(state) else Step.FORM).value
    else:
        state["form"] = None
        state["step"] = None


def form_complete_flag(state: dict) -> bool:
    form = state.get("form") or {}
    return bool(form.get("ready"))
