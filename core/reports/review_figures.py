"""The national review's figures in the informe mensual (issue 17 item 5, core/review_clock.py):
their labels and definition.

Counted like every figure, by the event's month in Mexico City time, per estado (the volante's,
the state that handled the round), canal and tipo (the volante's copies of the case's), as two
volante events of core.reports.events, read in the volantes pass with the other volante figures
(core.reports.passes):
- `revisiones`: FURs reviewed (accepted or sent back) in the month whose round had a review
  clock (rounds reviewed before the clock existed have none and are left out of both figures);
  `revisiones_en_plazo`: those reviewed on or before the review due date;
  `pct_revision_en_plazo` = en plazo / revisiones (core.reports.figures.finish).
- `revisiones_vencidas`: counted in the month of the review due date: reviewed (or cancelled)
  after it, or still waiting for the review with the due date before the day the report is read.
"""

from __future__ import annotations

LABELS = {
    "revisiones": "FUR revisados por Vinculación",
    "revisiones_en_plazo": "FUR revisados en plazo",
    "pct_revision_en_plazo": "% de FUR revisados en plazo",
    "revisiones_vencidas": "Revisiones vencidas",
}
PERCENT = ("pct_revision_en_plazo",)
DEFINITION = ("Revisión nacional del FUR: Vinculación tiene un plazo en días hábiles desde que el enlace "
              "presenta el FUR (Administración › Plazos). Revisados en plazo: aceptados o devueltos en el mes "
              "a más tardar en su fecha límite de revisión. Revisiones vencidas: cuya fecha límite cae en el "
              "mes y se revisaron después o siguen sin revisar al día del informe.")
COUNTS = ("revisiones", "revisiones_en_plazo", "revisiones_vencidas")
