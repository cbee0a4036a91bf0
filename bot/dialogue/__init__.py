"""The conversation with affiliates over WhatsApp and SMS (issue 5, "Dialogue").

Entry point: `bot.turns.handle_inbound(session, message_id)`. Modules:
  state.py       Contact.dialog_state (steps, form, expiry)
  engine.py      one turn: precedence rules, intents, coverage, information, folio status, handoff
  forms.py       slot filling, summary, confirmation (consent), corrections, registration
  understand.py  deterministic readers (opt-out words, yes/no, estados, amounts, dates)
  info.py        answers from bot/content/informacion.yaml
  replies.py     every text the bot says
"""
