"""Scoring the engine on a set of lay questions (data/evaluacion.csv).

Columns: pregunta, cartera (expected portfolio, empty = none), numero (expected concept: one or
more intervention numbers separated by "|" or ";", empty = no concept), edad (expected age read from the
text, empty = none), cubierto (si / no / empty = not sure or nothing found).

- portfolio top-1: ans.cartera == expected cartera (None == empty). A row that expects a
  portfolio *and* "not covered" (an FPGC row whose age limit leaves the patient out) is also right
  when the answer says "not covered" through that portfolio's row (its first match): the two
  labellings people use for that case (NO, or the portfolio with cubierto=no) state one fact;
- concept top-3: for rows with numero, one of the first 3 matches has an expected number (in the
  expected cartera when one is given);
- also reported: age accuracy, covered accuracy and the longest answer.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.coverage.catalog import DATA_DIR

DEFAULT_SET = DATA_DIR / "evaluacion.csv"


@dataclass
class EvalRow:
    pregunta: str
    cartera: str | None
    numeros: set[int]
    edad: float | None
    cubierto: bool | None


@dataclass
class EvalReport:
    total: int = 0
    cartera_ok: int = 0
    concepto_total: int = 0
    concepto_ok: int = 0
    edad_ok: int = 0
    cubierto_ok: int = 0
    max_len: int = 0
    max_len_pregunta: str = ""
    failures: list[dict] = field(default_factory=list)
    # per expected portfolio ("ninguna" = not covered): [questions, right portfolio]
    por_cartera: dict[str, list[int]] = field(default_factory=dict)
    # expected covered/not covered -> what the answer said: si / no / incierto
    confusion: dict[str, dict[str, int]] = field(default_factory=lambda: {
        "si": {"si": 0, "no": 0, "incierto": 0}, "no": {"si": 0, "no": 0, "incierto": 0}})

    @property
    def cartera_acc(self) -> float:
        return self.cartera_ok / self.total if self.total else 0.0

    @property
    def concepto_acc(self) -> float:
        return self.concepto_ok / self.concepto_total if self.concepto_total else 0.0

    @property
    def edad_acc(self) -> float:
        return self.edad_ok / self.total if self.total else 0.0

    @property
    def cubierto_acc(self) -> float:
        return self.cubierto_ok / self.total if self.total else 0.0

    def to_dict(self) -> dict:
        return {
            "preguntas": self.total,
            "cartera_top1": round(self.cartera_acc, 4),
            "concepto_top3": round(self.concepto_acc, 4),
            "edad": round(self.edad_acc, 4),
            "cubierto": round(self.cubierto_acc, 4),
            "respuesta_max_caracteres": self.max_len,
            "por_cartera": {k: round(ok / n, 4) if n else 0.0
                            for k, (n, ok) in sorted(self.por_cartera.items())},
            "cubierto_vs_no": self.confusion,
            "cubierto_dicho_no": round(self.covered_said_no, 4),
            "cubierto_dicho_incierto": round(self.covered_said_unsure, 4),
        }

    @property
    def covered_said_no(self) -> float:
        row = self.confusion["si"]
        return row["no"] / sum(row.values()) if sum(row.values()) else 0.0

    @property
    def covered_said_unsure(self) -> float:
        row = self.confusion["si"]
        return row["incierto"] / sum(row.values()) if sum(row.values()) else 0.0


NONE_WORDS = frozenset({"", "NO", "NINGUNA", "NINGUNO", "NONE", "-"})


def _cartera(raw: str | None) -> str | None:
    """'CAUSES' etc.; empty or 'NO' (covered by no portfolio) is None."""
    value = (raw or "").strip().upper()
    return None if value in NONE_WORDS else value


def _bool(value: str) -> bool | None:
    v = (value or "").strip().lower()
    if v in ("si", "sí", "true", "1"):
        return True
    if v in ("no", "false", "0"):
        return False
    return None


def read_set(path: Path = DEFAULT_SET) -> list[EvalRow]:
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            pregunta = (r.get("pregunta") or "").strip()
            if not pregunta:
                continue
            nums = {int(n) for n in re.split(r"[|;]", r.get("numero") or "") if n.strip().isdigit()}
            edad = (r.get("edad") or "").strip()
            rows.append(EvalRow(
                pregunta=pregunta,
                cartera=_cartera(r.get("cartera")),
                numeros=nums,
                edad=float(edad) if edad else None,
                cubierto=_bool(r.get("cubierto", "")),
            ))
    return rows


def _excluded_by(ans, row: EvalRow) -> bool:
    """ "Not covered" answered through a row of the portfolio the set names as not covering."""
    return (row.cubierto is False and row.cartera is not None and ans.covered is False
            and bool(ans.matches) and ans.matches[0]["cartera"] == row.cartera)


def evaluate(engine, rows: list[EvalRow]) -> EvalReport:
    rep = EvalReport()
    for row in rows:
        ans = engine.ask(row.pregunta)
        rep.total += 1
        ok_cartera = ans.cartera == row.cartera or _excluded_by(ans, row)
        rep.cartera_ok += ok_cartera
        ok_concepto = None
        if row.numeros:
            rep.concepto_total += 1
            top3 = ans.matches[:3]
            ok_concepto = any(
                m["numero"] in row.numeros and (row.cartera is None or m["cartera"] == row.cartera)
                for m in top3
            )
            rep.concepto_ok += ok_concepto
        ok_edad = (ans.edad is None and row.edad is None) or (
            ans.edad is not None and row.edad is not None and abs(ans.edad - row.edad) <= 0.05)
        rep.edad_ok += ok_edad
        rep.cubierto_ok += ans.covered == row.cubierto
        counts = rep.por_cartera.setdefault(row.cartera or "ninguna", [0, 0])
        counts[0] += 1
        counts[1] += ok_cartera
        if row.cubierto is not None:
            said = {True: "si", False: "no", None: "incierto"}[ans.covered]
            rep.confusion["si" if row.cubierto else "no"][said] += 1
        if len(ans.answer) > rep.max_len:
            rep.max_len, rep.max_len_pregunta = len(ans.answer), row.pregunta
        if not ok_cartera or ok_concepto is False or not ok_edad:
            rep.failures.append({
                "pregunta": row.pregunta,
                "esperado": {"cartera": row.cartera, "numero": sorted(row.numeros),
                             "edad": row.edad, "cubierto": row.cubierto},
                "obtenido": {"cartera": ans.cartera, "covered": ans.covered, "edad": ans.edad,
                             "matches": [(m["cartera"], m["numero"], m["score"])
                                         for m in ans.matches[:3]]},
            })
    return rep
