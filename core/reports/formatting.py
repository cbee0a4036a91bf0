"""How a report figure is written for people (dashboard, PDF): percentages, pesos, days, counts;
and the figures a breakdown row shows. One home for the dashboard and the PDF."""

from __future__ import annotations

from core.reports.monthly import MONEY, PERCENT

# The figures each breakdown row shows (estado, canal, tipo), besides the full summary table.
SUMMARY = (
    "casos_registrados", "personas", "volantes_abiertos", "volantes_respondidos", "pct_en_plazo",
    "volantes_vencidos", "tasa_devolucion", "concluidos", "pct_favorable", "tasa_reapertura", "dias_respuesta_mediana",
    "dias_conclusion_mediana", "monto_reembolsado", "satisfaccion_promedio",
)


def fmt(value, name: str) -> str:
    """0.8333 for pct_en_plazo -> '83.3 %'; 500.0 for a money figure -> '$ 500.00'; '—' for none."""
    if value is None:
        return "—"
    if name in PERCENT:
        return f"{value * 100:.1f} %"
    if name in MONEY:
        return f"$ {value:,.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}"
