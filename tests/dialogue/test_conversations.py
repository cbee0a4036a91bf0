"""Data-driven conversations (tests/dialogue/conversations.yaml): what real affiliates write."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from core.models import Case
from tests.dialogue.conftest import Phone, joined

CONVERSATIONS = yaml.safe_load((Path(__file__).parent / "conversations.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=[c["name"] for c in CONVERSATIONS])
def test_conversation(conv, db, settings, make):
    make.enlace("14")
    phone = Phone(db, settings, number="+523311112222")
    for number, turn in enumerate(conv["turns"], start=1):
        assert isinstance(turn["say"], str), f"quote {turn['say']!r} in the YAML"
        replies = phone.send(turn["say"])
        text = joined(replies).lower()
        where = f"turn {number} ({turn['say']!r}) got: {joined(replies)!r}"
        if turn.get("silent"):
            assert replies == [], where
            continue
        assert replies, where
        for expected in turn.get("expect", []):
            assert str(expected).lower() in text, where
        for unexpected in turn.get("absent", []):
            assert str(unexpected).lower() not in text, where
    cases = db.scalars(select(Case).order_by(Case.id)).all()
    assert len(cases) == len(conv["cases"]), [(c.tipo, c.status) for c in cases]
    for case, expected in zip(cases, conv["cases"], strict=True):
        for field, value in expected.items():
            actual = getattr(case, field)
            assert (str(actual) if actual is not None else None) == str(value), (field, actual, value)
