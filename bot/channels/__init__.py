"""Channel formatting: one logical reply → the bodies actually sent on WhatsApp or SMS."""

from __future__ import annotations

from bot.channels.sms import plan_sms, segment_count
from bot.channels.whatsapp import split_whatsapp

WHATSAPP = "whatsapp"
SMS = "sms"


def format_for_channel(text: str, channel: str) -> list[str]:
    """The ordered message bodies for `text` on `channel` (empty list for an empty text)."""
    if channel == WHATSAPP:
        return split_whatsapp(text)
    return plan_sms(text).parts


def channel_address(channel: str, phone: str) -> str:
    """Twilio address of a phone on a channel: 'whatsapp:+52…' or '+52…'."""
    return f"whatsapp:{phone}" if channel == WHATSAPP else phone


__all__ = ["SMS", "WHATSAPP", "channel_address", "format_for_channel", "plan_sms", "segment_count"]
