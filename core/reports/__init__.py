"""Informe mensual (DOMAIN.md §10): SQL-aggregated figures, exports and frozen snapshots."""

from core.reports.monthly import FIGURES, LABELS, build_report
from core.reports.months import Month

__all__ = ["FIGURES", "LABELS", "Month", "build_report"]
