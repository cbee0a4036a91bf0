"""The blind multi-turn set through the real webhook, jobs and Twilio stand-in.

`pytest tests/quality/test_blind_conversations.py -s` prints the success rate and every failed
scenario with its transcript (also written to the instance dir as blind_conversations.txt).
The floor is the figure recorded in docs/benchmarks.md for this set: the suite fails on any
regression below it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.channels.conftest import chan_settings, make_app  # noqa: F401 (fixtures)
from tests.quality.conversation_corpus import load_scenarios, run_scenario, summary
from tests.support.twilio import inbound_form, post_signed, standin  # noqa: F401 (fixtures)

pytestmark = pytest.mark.understanding  # on the SQLite run only (tests/conftest.py)

HERE = Path(__file__).parent
SETS = sorted(HERE.glob("blind_*/conversations.yaml")) + sorted(HERE.glob("dev_*/conversations.yaml"))
# the r2 set guided the dialogue fixes (0.766 -> 0.964); r3 was scored once after them (0.879);
# r4 was scored on the code of stop 25 before any change of stop 26 (0.812) and after (0.821),
# r5 on the code of stop 26 before any change of stop 27 (0.853) and after (0.948; r4 then 0.875,
# r3 0.939), never looked at; r6 on the code of stop 27 before any change of stop 28 (0.927) and
# after (0.935; r5 then 0.957, r4 0.875); r2 has since been read and reached 1.000. The dev_* sets were
# tuned on (dev_r4 0.987; dev_r5 0.82 -> 0.99, dev_r5b 0.87 -> 1.0, dev_r5c 0.95 -> 1.0;
# dev_r6 0.83 -> 0.97); r7 on the code of stop 28 before any change of stop 29 (0.870) and after
# (0.878); dev_r7 0.877 -> 0.986; r8 on the code of stop 29 before any change of stop 30 (0.941,
# scored with "México" read as the Estado de México) and after (0.948); dev_r8 0.849 -> 0.979:
# regression floors only.
FLOORS = {"blind_r2": 0.97, "blind_r3": 0.92, "blind_r4": 0.86, "blind_r5": 0.94, "blind_r6": 0.92,
          "blind_r7": 0.87, "blind_r8": 0.94, "dev_r4": 0.95, "dev_r5": 0.97, "dev_r5b": 0.97, "dev_r5c": 0.97, "dev_r6": 0.95, "dev_r7": 0.97, "dev_r8": 0.97,
          # round 9 (stop 31): blind 133 -> 136 of 144 (0.924 -> 0.944), dev 133 -> 141 of 146
          "blind_r9": 0.93, "dev_r9": 0.95,
          # round 10 (stop 32): blind 142 -> 143 of 148 (0.959 -> 0.966), dev 127 -> 136 of 142
          "blind_r10": 0.95, "dev_r10": 0.95,
          # round 11 (stop 33): blind 131 -> 133 of 141 (0.929 -> 0.943), dev 126 -> 139 of 140
          "blind_r11": 0.93, "dev_r11": 0.97,
          # round 12 (stop 34): blind 138 of 143 before and after (0.965), dev 130 -> 140 of 141;
          # a second development set (dev_r12b) 97 of 100 when first run
          "blind_r12": 0.95, "dev_r12": 0.97, "dev_r12b": 0.95}


@pytest.mark.slow
@pytest.mark.parametrize("path", SETS, ids=[p.parent.name for p in SETS])
def test_blind_conversations(path, chan_settings, standin, db, instance_dir):  # noqa: F811
    # No part gap: these sets judge what the bot says and registers, not the spacing of a reply's
    # parts (tests/channels/test_send_order.py does); inline, each gap was slept (~1 s in 7).
    client = make_app(dataclasses.replace(chan_settings, outbound_part_gap_seconds=0.0)).test_client()
    outcomes = [run_scenario(s, client, db, standin, post_signed, inbound_form)
                for s in load_scenarios(path)]
    (instance_dir / "blind_conversations.txt").write_text(summary(outcomes), encoding="utf-8")
    ok = sum(o.ok for o in outcomes)
    rate = ok / len(outcomes)
    # the rate only: a blind set's transcripts must never reach a log (captured output included)
    print(f"{path.parent.name}: {ok}/{len(outcomes)} = {rate:.3f}")
    assert rate >= FLOORS[path.parent.name], f"{ok}/{len(outcomes)}"
