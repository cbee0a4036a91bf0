"""The PII mask of the logs (core/logs.py): phones and CURPs are masked, while the timestamps,
dates, clock times and folios that RQ, the logging module and the app write stay exactly as
they are (issue 18, item 7)."""

from __future__ import annotations

import io
import logging

import pytest

from core.logs import ContextFilter, mask_pii

UNCHANGED = [
    "12:34:56 default: Job OK (3f9c1a2b)",
    "19:00:01 Worker rq:worker:ops-1 started with PID 1234, version 2.4.1",
    "2026-12-06 19:00:01,123 INFO [-] rq.worker: Result is kept for 500 seconds",
    "2026-12-06 19:00:01 job scheduled for 2026-12-07",
    "created_at=2026-12-06T19:00:01.123456+00:00 due=2026-12-14",
    "at 2026-12-06T19:00:01Z",
    "backup sinac-20261206190001.dump",
    "took 0:00:01.234567",
    "epoch 1733512345 (1733512345.123) ms 1733512345123",
    "folio SINAC-2026-000123 registrado",
    "case 12 volante 3 attempt 2/5",
]


@pytest.mark.parametrize("line", UNCHANGED)
def test_timestamps_dates_and_folios_are_left_alone(line):
    assert mask_pii(line) == line


@pytest.mark.parametrize("raw,masked", [
    ("whatsapp:+5213312345678 escribió", "whatsapp:+•••••••••5678 escribió"),
    ("llamar al 55 1234 5678", "llamar al ••••••5678"),
    ("tel 55-1234-5678.", "tel ••••••5678."),
    ("+52 1 55 1234 5678", "+•••••••••5678"),
    ("5512345678,3312345678", "••••••5678,••••••5678"),
    ("CURP GODE561231HDFRRN09", "CURP GODE•••••••••••••9"),
])
def test_phones_and_curps_are_still_masked(raw, masked):
    assert mask_pii(raw) == masked


def test_a_phone_next_to_a_timestamp_is_masked_and_the_timestamp_kept():
    line = "2026-12-06 19:00:01,123 from whatsapp:+5213312345678 at 12:34:56 and 5512345678 2026-12-06"
    assert mask_pii(line) == ("2026-12-06 19:00:01,123 from whatsapp:+•••••••••5678 at 12:34:56 "
                              "and ••••••5678 2026-12-06")


def test_through_a_handler_as_rq_formats_its_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("sinac.test.logmask")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("default: bot.turn(%s) at %s from %s", 41, "2026-12-06 19:00:01,123", "+5213312345678")
        logger.warning("Job %s: enqueued at %s, ended 12:34:56", "SINAC-2026-000777", "2026-12-06T19:00:01.5+00:00")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert first.endswith("default: bot.turn(41) at 2026-12-06 19:00:01,123 from +•••••••••5678")
    assert second.endswith("Job SINAC-2026-000777: enqueued at 2026-12-06T19:00:01.5+00:00, ended 12:34:56")
