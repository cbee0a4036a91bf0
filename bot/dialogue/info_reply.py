"""The affiliate's answer to a request for information sent from the case page
(core.services.affiliate_contact): while such a request is open, the contact's next message,
text or photo, is that answer. It goes to the case instead of starting a new conversation, the
plazo resumes and the staff are told; a receipt sent right after it follows to the same folio
(`last_case`, the path of a captioned photo after a registration: control.media)."""

from __future__ import annotations

from bot.dialogue import replies as R
from bot.dialogue.turn import Turn
from core.actors import BOT
from core.services import affiliate_contact


def answer(t: Turn) -> bool:
    request = affiliate_contact.open_request_for(t.session, t.contact)
    if request is None:
        return False
    result = affiliate_contact.record_reply(t.session, BOT, request, t.message)
    t.jobs.extend(result.jobs)
    case = result.case
    t.case_id = case.id
    t.state["last_case"] = {"id": case.id, "folio": case.folio}
    t.say(R.info_reply_received(case.folio, text=bool(t.text.strip()), media=len(t.message.media or [])))
    return True
