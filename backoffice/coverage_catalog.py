"""Coverage catalog search for the staff (CAUSES, FPGC, SMSXXI): what the bot answers from."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from backoffice.auth import roles_required
from core.enums import Role

bp = Blueprint("coverage_catalog", __name__, url_prefix="/cartera")

CARTERA_LABELS = {
    "CAUSES": "CAUSES · Catálogo Universal de Servicios de Salud",
    "FPGC": "FPGC · Fondo de Protección contra Gastos Catastróficos",
    "SMSXXI": "SMSXXI · Seguro Médico Siglo XXI (menores de 5 años)",
}
MAX_RESULTS = 50


def cita(item) -> str:
    """'Intervención 84 del CAUSES 2016' — the number only where it is a published position."""
    if item.numero is not None and getattr(item, "cita_numero", True):
        return f"Intervención {item.numero} del {item.cartera} {item.edicion}".strip()
    return f"{item.cartera} {item.edicion}".strip()


@bp.get("/")
@roles_required(*Role)
def index():
    from core.coverage import get_engine

    q = (request.args.get("q") or "").strip()[:200]
    cartera = (request.args.get("cartera") or "").strip().upper()
    if cartera not in CARTERA_LABELS:
        cartera = ""
    engine = get_engine()
    items = list(engine.catalog())
    by_key = {(it.cartera, it.numero, it.nombre): it for it in items}
    counts = {c: sum(1 for it in items if it.cartera == c) for c in CARTERA_LABELS}
    results, searched = [], bool(q or cartera)
    if q:
        for match in engine.search(q, limit=MAX_RESULTS):
            item = by_key.get((match["cartera"], match["numero"], match["nombre"]))
            if item is not None and (not cartera or item.cartera == cartera):
                results.append(item)
    elif cartera:
        results = [it for it in items if it.cartera == cartera]
    return render_template("coverage_catalog/index.html", q=q, cartera=cartera, results=results,
                           searched=searched, counts=counts, carteras=CARTERA_LABELS, cita=cita)
