"""Page helpers of the report tests (logging in: tests/support/web.py)."""

from __future__ import annotations

import re

from tests.support.web import csrf, login  # noqa: F401  (re-exported: report tests written against this module)


def chart_data(html: str) -> dict:
    import json

    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.DOTALL)
    return json.loads(match.group(1))
