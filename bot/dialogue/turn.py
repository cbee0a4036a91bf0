"""What one dialogue turn carries, and the steps a conversation can be waiting at.

A `Turn` holds the message as bot.nlu read it (the one interpretation) and collects what the
flows decide: replies in order, the jobs the domain asked for, the case registered. Flows take a
Turn and return whether they handled the message; a side flow that finds the message belongs to
the form being filled returns `TO_FORM` and the router hands it over (so no flow imports the
router).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.state import Step
from bot.nlu.signals import Signals
from core.config import Settings
from core.enums import Tipo
from core.jobs import Job
from core.models import Contact, Message

FORM_INTENTS: Final = {
    "queja": Tipo.QUEJA.value,
    "cobro_injustificado": Tipo.COBRO_INJUSTIFICADO.value,
    "sugerencia": Tipo.SUGERENCIA.value,
    "felicitacion": Tipo.FELICITACION.value,
}
DIGIT_INTENT: Final = {
    1: "queja",
    2: "cobro_injustificado",
    3: "consulta_cobertura",
    4: "solicitud_informacion",
    5: "estado_tramite",
    6: "hablar_con_persona",
}
STRONG: Final = 0.7  # confidence above which an intent may interrupt a form


class _ToForm:
    def __repr__(self) -> str:
        return "TO_FORM"

    def __bool__(self) -> bool:
        return True


TO_FORM: Final = _ToForm()  # a step handler's "this message is for the pending form"


@dataclass
class Turn:
    session: Session
    contact: Contact
    message: Message
    settings: Settings
    text: str
    intent: str
    confidence: float
    entities: list[dict]
    ranking: list[dict]
    state: dict
    at: datetime
    replies: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    case_id: int | None = None
    follow_code: str | None = None  # the public follow code of a case just registered: said once, never stored
    reply_kind: str = "reply"  # "opt_out": the one confirmation bot.outbound still sends
    menu_choice: bool = False
    first_contact: bool = False
    secondary: list[str] = field(default_factory=list)  # other intents in the message (bot/nlu)
    clauses: dict[str, str] = field(default_factory=dict)  # intent -> its clause of the message
    signals: Signals | None = None  # bot.nlu's control signals; read from the text when not given

    def __post_init__(self) -> None:
        if self.signals is None:
            self.signals = Signals.read(self.text)

    def say(self, *texts: str) -> None:
        self.replies.extend(t for t in texts if t)

    @property
    def step(self) -> Step | None:
        return Step.of(self.state.get("step"))

    def go(self, step: Step | None) -> None:
        self.state["step"] = step.value if step is not None else None

    @property
    def form(self) -> dict | None:
        return self.state.get("form")

    def effective_intent(self) -> str:
        """The intent, unless a menu digit or an explicit ask for a person says otherwise."""
        digit = self.signals.digit
        if digit in DIGIT_INTENT:
            self.menu_choice = True
            return DIGIT_INTENT[digit]
        if "hablar_con_persona" in self.secondary or (
                self.signals.asks_human and self.intent not in FORM_INTENTS):
            return "hablar_con_persona"  # asked for a person, whatever else the message says
        return self.intent


def says_yes(t: Turn) -> bool:
    """The answer to a yes/no question the bot just asked: a yes word, or a short affirmation."""
    return U.is_yes(t.text) or (t.intent == "afirmar" and U.content_words(t.text) <= 2)


def says_no(t: Turn) -> bool:
    return U.is_no(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 2)


def back_to_form(t: Turn):
    """Leave a side flow; with a report pending, the message is the form's (the router passes it
    on), else it is read as a new request (False)."""
    S.clear_flow(t.state, keep_form=True)
    return TO_FORM if t.form else False
