"""The informe mensual as a PDF (issue 17 item 7): a frozen report rendered from an HTML template
by WeasyPrint (a maintained HTML/CSS-to-PDF library; its system libraries are Debian's Pango,
installed by the Makefile). Used for the e-mailed reports (core/reports/delivery.py)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from core.estados import BY_CLAVE
from core.reports import enlaces
from core.reports.export import BREAKDOWNS
from core.reports.formatting import SUMMARY, fmt
from core.reports.monthly import LABELS
from core.timeutil import MX_TZ

TEMPLATES = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("informe.html")


def scope_name(report: dict) -> str:
    estado = report.get("estado")
    return BY_CLAVE[estado].nombre if estado in BY_CLAVE else "Nacional"


def report_html(report: dict, saved_at: datetime | None = None) -> str:
    guardado = saved_at.astimezone(MX_TZ).strftime("%d/%m/%Y %H:%M") if saved_at else "—"
    return _template().render(r=report, scope=scope_name(report), labels=LABELS, summary=SUMMARY, fmt=fmt,
                              breakdowns=BREAKDOWNS, guardado=guardado, enlace_labels=enlaces.LABELS)


def report_pdf(report: dict, saved_at: datetime | None = None) -> bytes:
    """The report's PDF (A4 landscape): summary beside the previous month, the breakdowns, the
    per-enlace figures when the report carries them (the national one: enlaces.for_mailing), the
    coverage topics and how each figure is counted."""
    from weasyprint import HTML

    return HTML(string=report_html(report, saved_at), base_url=str(TEMPLATES)).write_pdf()
