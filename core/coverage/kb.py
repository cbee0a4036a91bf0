"""The medical knowledge base beside the catalogues (data/kb/*.yaml).

One entry per intervention: lay names (terminos), symptoms people describe, the medicines of its
treatment, the diagnostic studies it includes, CIE-10 codes and age/sex limits. People ask for
the drug, the study or the symptom, not the catalogue row; each of those becomes a search
synonym of its row, of its own kind, so the answer can say what it was matched through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.coverage.catalog import DATA_DIR, Synonym

KB_DIR = DATA_DIR / "kb"
# libyaml's safe loader when PyYAML was built with it: the pure-Python one takes ~1.5 s here,
# which every worker pays at warm-up
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# kind -> list field of an entry; the kind travels with the synonym to the search and answer
KINDS = {"termino": "terminos", "sintoma": "sintomas", "medicamento": "medicamentos",
         "estudio": "estudios"}


@dataclass
class KBEntry:
    cartera: str
    numero: int
    nombre: str
    terminos: list[str] = field(default_factory=list)
    sintomas: list[str] = field(default_factory=list)
    medicamentos: list[str] = field(default_factory=list)
    estudios: list[str] = field(default_factory=list)
    especialidad: str = ""
    cie10: list[str] = field(default_factory=list)
    edad_min: float | None = None
    edad_max: float | None = None
    sexo: str | None = None


def read_kb(directory: Path = KB_DIR) -> list[KBEntry]:
    entries: list[KBEntry] = []
    for path in sorted(directory.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            for raw in yaml.load(fh, Loader=_LOADER) or []:
                entries.append(KBEntry(
                    cartera=str(raw["cartera"]).upper(),
                    numero=int(raw["numero"]),
                    nombre=str(raw["nombre"]).strip(),
                    **{f: [str(v).strip() for v in raw.get(f) or [] if str(v).strip()]
                       for f in KINDS.values()},
                    especialidad=str(raw.get("especialidad") or ""),
                    cie10=[str(c).strip().upper() for c in raw.get("cie10") or []],
                    edad_min=raw.get("edad_min"),
                    edad_max=raw.get("edad_max"),
                    sexo=raw.get("sexo"),
                ))
    return entries


def kb_synonyms(entries: list[KBEntry] | None = None) -> list[Synonym]:
    """Every lay name, symptom, medicine and study as a synonym of its intervention."""
    out: list[Synonym] = []
    for e in read_kb() if entries is None else entries:
        for kind, attr in KINDS.items():
            for term in getattr(e, attr):
                out.append(Synonym(term, e.cartera, e.numero, e.nombre, kind=kind))
    return out


def _years(value: float) -> str:
    return f"{value:g} años" if value >= 1 else f"{round(value * 12):g} meses"


def kb_ages(entries: list[KBEntry] | None = None) -> dict[tuple[str, int], tuple[float, float, str]]:
    """(min inclusive, max exclusive, Spanish label) of the rows the knowledge base limits by age
    when the catalogue name does not say it ("Bronquiolitis": under 2)."""
    out = {}
    for e in read_kb() if entries is None else entries:
        lo, hi = e.edad_min, e.edad_max
        if lo is None and hi is None:
            continue
        lo_f = float(lo or 0.0)
        hi_f = float(hi) + 0.01 if hi is not None else 200.0
        if hi is None:
            label = f"{_years(lo_f)} en adelante"
        elif lo_f <= 0:
            label = f"menores de {_years(round(hi_f, 2))}"
        else:
            label = f"de {_years(lo_f)} a {_years(float(hi))}"
        out[(e.cartera, e.numero)] = (lo_f, hi_f, label)
    return out
