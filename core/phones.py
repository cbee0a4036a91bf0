"""Phone numbers in E.164 (phonenumbers, Mexico by default) and their masked display."""

from __future__ import annotations

import phonenumbers

from core.errors import ValidationError


def parse_channel_address(address: str) -> tuple[str, str]:
    """'whatsapp:+5215512345678' -> ('whatsapp', '+52...'); '+52...' -> ('sms', '+52...')."""
    address = (address or "").strip()
    if address.lower().startswith("whatsapp:"):
        return "whatsapp", normalize_phone(address.split(":", 1)[1])
    return "sms", normalize_phone(address)


def normalize_phone(raw: str, region: str = "MX") -> str:
    raw = (raw or "").strip()
    # WhatsApp still sends Mexican mobiles as +521 + 10 digits, which phonenumbers rejects as
    # impossible: drop the old mobile "1" before validating.
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.startswith("+") and len(digits) == 13 and digits.startswith("521"):
        raw = "+52" + digits[3:]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("El número de teléfono no es válido.") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError("El número de teléfono no es válido.")
    # Mexican mobiles may arrive as +521XXXXXXXXXX (old format); keep one canonical form.
    if number.country_code == 52:
        national = str(number.national_number)
        if len(national) == 11 and national.startswith("1"):
            number = phonenumbers.parse("+52" + national[1:], None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None) -> str:
    """+5215512345678 -> +52•••••••5678 (lists, logs)."""
    if not phone:
        return ""
    digits = phone.lstrip("+")
    if len(digits) <= 4:
        return "•" * len(digits)
    prefix = "+" + digits[:2] if phone.startswith("+") else digits[:2]
    return prefix + "•" * (len(digits) - 6) + digits[-4:]


def mask_curp(curp: str | None) -> str:
    if not curp:
        return ""
    return curp[:4] + "•" * (len(curp) - 6) + curp[-2:]
