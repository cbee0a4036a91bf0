"""Runs blind multi-turn scenarios (tests/quality/blind_*/conversations.yaml) through the signed
Twilio webhook, the jobs and the Twilio stand-in, and checks each expected outcome.

A scenario is {name, channel, turns: [text | {say, media}], expect: {case, tipo, estado, monto,
opt_out, handoff}}. "case" means a volante-worthy report (queja, cobro_injustificado, sugerencia,
felicitacion); coverage and information answers are registered too but do not count.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from core.enums import Direction
from core.estados import match_estado
from core.models import Case, Contact, Message
from core.phones import normalize_phone

REPORT_TIPOS = frozenset({"queja", "cobro_injustificado", "sugerencia", "felicitacion"})
_numbers = itertools.count(1)
_sids = itertools.count(1)


@dataclass
class Outcome:
    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"FAIL {self.name}: {'; '.join(self.problems)}"]
        for said, replies in self.transcript:
            lines.append(f"    > {said}")
            lines.extend(f"    < {r[:160]!r}" for r in replies)
        return "\n".join(lines)


def load_scenarios(path: Path | str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or []


def run_scenario(scenario: dict, client, db, standin, post_signed, inbound_form) -> Outcome:
    """One phone, every turn through the webhook; then the expectations against the database."""
    channel = scenario.get("channel", "whatsapp")
    number = f"+5255{next(_numbers):08d}"
    sender = f"whatsapp:{number}" if channel == "whatsapp" else number
    out = Outcome(scenario["name"], True)
    for turn in scenario["turns"]:
        body, media = (turn, None) if isinstance(turn, str) else (turn.get("say", "") or "",
                                                                  turn.get("media"))
        extra = {}
        if media:
            extra = {"NumMedia": "1", "MediaContentType0": media,
                     "MediaUrl0": f"{standin.url}/media/{next(_sids)}.jpg"}
        form = inbound_form(sid=f"SM{next(_sids):032d}", sender=sender, body=str(body), **extra)
        if channel != "whatsapp":
            form["To"] = "+15550000000"
        before = len(standin.messages(to=sender))
        response = post_signed(client, form)
        if response.status_code != 200:
            out.problems.append(f"webhook answered {response.status_code}")
        replies = [m["body"] for m in standin.messages(to=sender)][before:]
        out.transcript.append((str(body) if not media else f"[{media}] {body}", replies))
    db.expire_all()
    _check(scenario.get("expect") or {}, number, db, out)
    out.ok = not out.problems
    return out


def _check(expect: dict, number: str, db, out: Outcome) -> None:
    contact = db.scalar(select(Contact).where(Contact.phone == normalize_phone(number)))
    if contact is None:
        out.problems.append("no contact stored")
        return
    inbound = db.scalars(select(Message).where(Message.contact_id == contact.id,
                                               Message.direction == Direction.INBOUND)).all()
    if len(inbound) != len(out.transcript):
        out.problems.append(f"{len(out.transcript)} sent, {len(inbound)} stored")
    unprocessed = [m.body for m in inbound if m.processed_at is None]
    if unprocessed:
        out.problems.append(f"not processed: {unprocessed}")
    for said, replies in out.transcript:
        if len(replies) != len(set(replies)):
            out.problems.append(f"same reply twice after {said!r}")
    cases = [c for c in db.scalars(select(Case).where(Case.contact_id == contact.id)).all()
             if c.tipo in REPORT_TIPOS and c.status != "cancelada"]
    want_case = bool(expect.get("case"))
    if want_case and not cases:
        out.problems.append(f"expected a {expect.get('tipo')} case, none registered")
    elif not want_case and cases:
        out.problems.append(f"unexpected case(s): {[c.tipo for c in cases]}")
    if want_case and cases:
        case = cases[-1]
        if expect.get("tipo") and case.tipo != expect["tipo"]:
            out.problems.append(f"tipo {case.tipo}, expected {expect['tipo']}")
        if expect.get("estado"):
            clave = match_estado(expect["estado"])  # "México" is the Estado de México
            if clave is None or case.estado_clave != clave:
                out.problems.append(f"estado {case.estado_clave}, expected {expect['estado']}")
        if expect.get("monto") is not None and (
                case.monto is None or Decimal(str(expect["monto"])) != case.monto):
            out.problems.append(f"monto {case.monto}, expected {expect['monto']}")
    if bool(expect.get("opt_out")) != bool(contact.opt_out):
        out.problems.append(f"opt_out {contact.opt_out}, expected {bool(expect.get('opt_out'))}")
    if bool(expect.get("handoff")) != bool(contact.handoff):
        out.problems.append(f"handoff {contact.handoff}, expected {bool(expect.get('handoff'))}")


def summary(outcomes: list[Outcome]) -> str:
    ok = sum(o.ok for o in outcomes)
    lines = [f"blind conversations: {ok}/{len(outcomes)} = {ok / len(outcomes):.3f}"]
    lines += [o.describe() for o in outcomes if not o.ok]
    return "\n".join(lines)
