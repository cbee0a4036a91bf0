"""SMS segment counting, transliteration only when it saves segments, splitting; WhatsApp keeps
its formatting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.channels import format_for_channel
from bot.channels.sms import (
    encoding_of,
    plan_sms,
    segment_count,
    strip_whatsapp_markup,
    transliterate,
)


def test_gsm7_single_and_multipart_limits():
    assert segment_count("") == 0
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2
    assert segment_count("a" * 307) == 3


def test_extension_characters_take_two_septets_and_are_not_split():
    assert encoding_of("€[]{}") == "gsm7"
    assert segment_count("€" * 80) == 1
    assert segment_count("€" * 81) == 2
    # 152 septets + one € (2 septets) does not fit in the first 153-septet part.
    assert segment_count("a" * 152 + "€" + "a" * 10) == 2
    assert segment_count("a" * 152 + "€" + "a" * 152) == 3


def test_spanish_letters_in_and_out_of_gsm7():
    assert encoding_of("ñÑéÉüÜ¿¡àèìòù") == "gsm7"
    for ch in "áíóúÁÍÓÚ":
        assert encoding_of(ch) == "ucs2"


def test_ucs2_limits_and_emoji_surrogate_pairs():
    assert segment_count("á" * 70) == 1
    assert segment_count("á" * 71) == 2
    assert segment_count("á" * 134) == 2
    assert segment_count("á" * 135) == 3
    assert segment_count("😀" * 35) == 1  # 70 UTF-16 code units
    assert segment_count("😀" * 36) == 2


def test_transliteration_keeps_gsm7_spanish_letters():
    assert transliterate("¿Cuándo? ¡Ñandú pingüino, café! “hola”…") == "¿Cuando? ¡Ñandu pingüino, café! \"hola\"..."
    assert transliterate("Listo ✅") == "Listo OK"


def test_transliterates_only_when_it_saves_segments():
    short = "Gracias, tu queja quedó registrada."  # UCS-2 but one segment anyway
    plan = plan_sms(short)
    assert plan.parts == [short] and not plan.transliterated
    longer = ("Tu folio es SINAC-2026-000123. La atención es gratuita en las unidades acreditadas; "
              "te responderemos a más tardar el 5 de diciembre.")
    assert segment_count(longer) == 2  # UCS-2 because of á, ó
    plan = plan_sms(longer)
    assert plan.transliterated
    assert plan.parts == [transliterate(longer)]
    assert plan.segments == 1
    assert "atencion" in plan.parts[0] and "más" not in plan.parts[0]


def test_long_text_split_in_order_at_most_two_segments_each():
    text = " ".join(f"Paso {i}: acude a tu módulo de afiliación con tu póliza vigente." for i in range(1, 16))
    parts = plan_sms(text).parts
    assert len(parts) > 1
    assert all(segment_count(p) <= 2 for p in parts)
    assert " ".join(parts).replace("afiliacion", "afiliación").startswith("Paso 1:")
    numbers = [int(w.rstrip(":")) for p in parts for w in p.split() if w.rstrip(":").isdigit()]
    assert numbers == list(range(1, 16))


def test_only_emoji_message_is_not_dropped():
    assert plan_sms("👍").parts == ["👍"]


def test_markup_stripped_for_sms_but_kept_for_whatsapp():
    text = "Tu folio: *SINAC-2026-000001* _gracias_ https://sinac.gob.mx/aviso_de_privacidad 3*4*5"
    assert strip_whatsapp_markup(text) == \
        "Tu folio: SINAC-2026-000001 gracias https://sinac.gob.mx/aviso_de_privacidad 3*4*5"
    assert format_for_channel(text, "whatsapp") == [text]
    assert format_for_channel(text, "sms")[0].startswith("Tu folio: SINAC-2026-000001 gracias")


def test_whatsapp_long_text_split_under_1600():
    text = "\n\n".join(f"Párrafo número {i}. " + "x" * 300 for i in range(12))
    parts = format_for_channel(text, "whatsapp")
    assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list("abcdeáéíóúñü ¿?.,€😀\n") + ["hola ", "atención "]), max_size=400)
       .map("".join))
def test_any_text_parts_fit_and_keep_the_words(text):
    plan = plan_sms(text)
    assert all(1 <= segment_count(p) <= 2 for p in plan.parts)
    if text.strip() and not plan.transliterated:
        assert "".join(plan.parts).replace(" ", "").replace("\n", "") == \
            text.strip().replace(" ", "").replace("\n", "")


def test_long_answers_are_split_where_a_sentence_ends():
    from bot.channels.sms import split_to_fit

    sentences = [f"Esta es la frase numero {i} de una respuesta larga sobre tu afiliacion." for i in range(12)]
    text = " ".join(sentences)
    parts = split_to_fit(text, max_segments=2)
    assert len(parts) > 1
    assert all(p.endswith(".") for p in parts), parts  # no message ends mid-sentence
    assert " ".join(parts) == text  # nothing lost, nothing reordered
    assert all(segment_count(p) <= 2 for p in parts)
    # one sentence longer than a message is still cut at words
    huge = "palabra " * 60
    assert all(segment_count(p) <= 1 for p in split_to_fit(huge.strip(), max_segments=1))
