"""Outbound messages: stored first (in order, formatted for the channel, suppressed for opted-out
phones: `queueing`), then sent by the `send_outbound` job (`sending`), one part at a time through
the twilio library (`handover`), at each sender's pace (bot/pacing.py) and in order per phone
(bot/send_order.py); Twilio's status callbacks move them on (`status`); a part whose fate is
unknown is looked up in Twilio's message list (`lookup`).

Statuses of an outbound Message:
  queued (no message_sid)  waiting to be handed to Twilio
  sending (no message_sid) a worker is calling Twilio right now (committed before the one call)
  queued/accepted/sending/sent/delivered/read (with message_sid)  Twilio has it; callbacks move it on
  failed / undelivered     with `error`, shown to staff
  suppressed               never sent: the phone opted out
A message that has a message_sid is never sent again. One left `sending` by a worker that died
during the call is looked up in Twilio's message list: recorded if Twilio has it, sent again
(once) if not, before anything after it goes.
"""
