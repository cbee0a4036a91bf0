"""The conversation with affiliates over WhatsApp and SMS.

Entry point: `bot.turns.handle_inbound(session, message_id)`. Layers (import-linter keeps them;
a module only imports the ones below it):
  router.py        one turn: order of precedence, STEP_HANDLERS and INTENT_HANDLERS tables
  form_steps.py    answers while a report is filled in or at its summary; sí → registration
  interrupts.py    another request in the middle of a report, then the report resumes
  control.py       opt-out/ALTA, handoff, survey answer, idle expiry, media
  coverage.py      coverage questions (core.coverage), clarification, follow-ups
  information.py   general information topics, unknown questions → a person
  tramite.py       how a report is going, by folio
  form_fill.py     open a report, take slots, ask what is missing, summary
  registration.py  cases through core.services.cases; messages and media linked to them
  turn.py          Turn (one message as bot.nlu read it + what the turn decides), TO_FORM
  state.py         Contact.dialog_state, the Step enum
  understand.py    deterministic readers (opt-out words, yes/no, estados, amounts, dates)
  info.py, replies.py   answers from bot/content/informacion.yaml; every text the bot says
  expiry.py        the scheduled job that closes idle sessions
"""
