"""Fast generator of a realistic year of cases (contacts, cases, volantes, FURs, reviews) for
benchmarks: bulk COPY on PostgreSQL, executemany on SQLite. Progress bar on a terminal only.

    python bench/generate.py --cases 500000 [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.enums import Canal, CaseStatus, Tipo
from core.estados import ESTADOS

TIPOS = [(Tipo.QUEJA, 30), (Tipo.COBRO_INJUSTIFICADO, 20), (Tipo.CONSULTA_COBERTURA, 20),
         (Tipo.SOLICITUD_INFORMACION, 15), (Tipo.SUGERENCIA, 8), (Tipo.FELICITACION, 7)]
CANALES = [(Canal.WHATSAPP, 55), (Canal.SMS, 15), (Canal.CALL_CENTER, 20), (Canal.BUZON, 7), (Canal.OFICIO, 3)]
# Rough weights by affiliated population: the big states get more cases.
WEIGHTS = {"15": 12, "09": 7, "30": 8, "14": 7, "21": 6, "11": 5, "07": 6, "12": 4, "20": 4, "16": 4}
DESCRIPTIONS = [
    "No me quisieron atender en el centro de salud y me dijeron que regresara mañana",
    "Me cobraron {m} pesos por el ultrasonido en el hospital general",
    "Faltan medicamentos para la diabetes en la clínica",
    "Quiero saber si cubren la cirugía de vesícula",
    "El doctor me trató muy mal en urgencias",
    "Felicito a la enfermera del turno de noche por su atención",
    "Sugiero que amplíen el horario de consulta",
    "Me pidieron pagar la cuota de recuperación del parto",
]

FUR_TEXTS = ("Se gestionó con la unidad", "Le informamos que su caso fue atendido.")


def _weighted(rnd, items):
    return rnd.choices([i for i, _ in items], [w for _, w in items])[0]


def generate(database_url: str, n_cases: int, *, seed: int = 2026, today: date | None = None,
             progress: bool | None = None) -> dict:
    from sqlalchemy import inspect, select, text

    from core.db import make_engine, session_factory
    from core.models import User
    from core.models.search_text import compose
    from core.plazos import BusinessCalendar
    from core.seed import seed as seed_users

    rnd = random.Random(seed)
    today = today or date.today()
    progress = sys.stderr.isatty() if progress is None else progress
    Session = session_factory(database_url)
    with Session() as session:
        seed_users(session, "Bench-password-1")
        session.commit()
        enlaces = {u.estado_clave: u.id for u in session.scalars(select(User).where(User.role == "enlace"))}
        vin = session.scalar(select(User.id).where(User.role == "vinculacion"))
    cal = BusinessCalendar()
    estados = [e.clave for e in ESTADOS]
    weights = [WEIGHTS.get(c, 2) for c in estados]
    n_contacts = max(1, n_cases // 2)
    contacts = [(i + 1, f"+52155{10_000_000 + i:08d}", rnd.choice(["whatsapp", "sms"]),
                 rnd.choices(estados, weights)[0]) for i in range(n_contacts)]
    start = today - timedelta(days=365)
    created = sorted(start + timedelta(seconds=rnd.randrange(365 * 86400)) for _ in range(n_cases))
    cases, volantes, furs, reviews = [], [], [], []
    seq: dict[int, int] = {}
    vol_id = fur_id = 0
    bar = _bar(progress, n_cases, "casos")
    for i, moment in enumerate(created):
        case_id = i + 1
        created_at = datetime(moment.year, moment.month, moment.day, rnd.randrange(8, 22), rnd.randrange(60),
                              tzinfo=UTC)
        year = created_at.year
        seq[year] = seq.get(year, 0) + 1
        tipo = _weighted(rnd, TIPOS)
        canal = _weighted(rnd, CANALES)
        contact = contacts[rnd.randrange(n_contacts)] if canal in ("whatsapp", "sms") else None
        estado = contact[3] if contact else rnd.choices(estados, weights)[0]
        monto = rnd.choice([150, 350, 500, 800, 1200, 3500]) if tipo == Tipo.COBRO_INJUSTIFICADO else None
        description = rnd.choice(DESCRIPTIONS).format(m=monto or 300)
        age_days = (today - created_at.date()).days
        if tipo in (Tipo.CONSULTA_COBERTURA, Tipo.SOLICITUD_INFORMACION):
            status, amerita = CaseStatus.ATENDIDA, False
        else:
            amerita = True
            r = rnd.random()
            if r < 0.02:
                status = CaseStatus.CANCELADA
            elif age_days > 30 and r < 0.92:
                status = CaseStatus.CONCLUIDA
            elif r < 0.55:
                status = CaseStatus.TURNADA
            elif r < 0.8:
                status = CaseStatus.RESPONDIDA
            else:
                status = CaseStatus.CONCLUIDA if age_days > 5 else CaseStatus.TURNADA
        closed_at = None
        current_vol = current_due = None
        fur_texts = []
        if amerita:
            rounds = 2 if rnd.random() < 0.15 and status != CaseStatus.CANCELADA else 1
            sent = created_at
            first_vol, answered_before = vol_id + 1, False
            for numero in range(1, rounds + 1):
                vol_id += 1
                plazo = 10 if numero == 1 else 5
                due = cal.add(sent.date(), plazo)
                last = numero == rounds
                answer_days = rnd.randrange(1, 16)
                answered = sent + timedelta(days=answer_days)
                if not last:
                    vstatus, answered_at, vclosed = "devuelto", answered, answered + timedelta(days=1)
                elif status == CaseStatus.TURNADA:
                    vstatus, answered_at, vclosed = "abierto", None, None
                elif status == CaseStatus.RESPONDIDA:
                    vstatus, answered_at, vclosed = "respondido", answered, None
                elif status == CaseStatus.CANCELADA:
                    vstatus, answered_at, vclosed = "cancelado", None, sent + timedelta(days=2)
                else:
                    vstatus, answered_at, vclosed = "aceptado", answered, answered + timedelta(days=rnd.randrange(1, 4))
                first_answer = answered_at is not None and not answered_before
                answered_before = answered_before or answered_at is not None
                resultado = reemb = filer = review_due = None
                if answered_at is not None:
                    resultado = rnd.choices(["favorable", "no_favorable", "improcedente"], [70, 20, 10])[0]
                    reemb = monto if (monto and resultado == "favorable") else (0 if monto else None)
                    filer = enlaces.get(estado)
                    review_due = answered_at.date() + timedelta(days=4)  # the review clock, ~3 business days
                volantes.append((vol_id, case_id, numero, estado, enlaces.get(estado), "", vstatus, plazo, sent,
                                 due, answered_at, vclosed, vin, canal, tipo, estado, first_answer, first_vol,
                                 review_due, filer, resultado, monto if answered_at else None, reemb))
                if answered_at is not None:
                    fur_id += 1
                    fur_texts.append(FUR_TEXTS)
                    furs.append((fur_id, vol_id, case_id, answered_at.date(), *FUR_TEXTS, resultado, monto, reemb,
                                 answered_at.date() if reemb else None, False, enlaces.get(estado), answered_at,
                                 answered_at, answered_at))
                    if vstatus in ("devuelto", "aceptado"):
                        reviews.append((fur_id, vol_id, fur_id, "devuelta" if vstatus == "devuelto" else "aceptada",
                                        "Ampliar gestión" if vstatus == "devuelto" else None, vin, vclosed))
                current_vol, current_due = vol_id, due
                if vclosed:
                    sent = vclosed
                    closed_at = vclosed if last else None
        else:
            closed_at = created_at
        if status == CaseStatus.CANCELADA and closed_at is None:
            closed_at = created_at + timedelta(days=1)
        satisfaction = rnd.randrange(1, 6) if status == CaseStatus.CONCLUIDA and rnd.random() < 0.4 else None
        topic = rnd.choice(["Colecistectomía", "Mastografía", "Parto", "Diabetes", "Vacunas"]) \
            if tipo == Tipo.CONSULTA_COBERTURA else None
        cases.append((case_id, f"SINAC-{year}-{seq[year]:06d}", tipo, canal, estado,
                       contact[0] if contact else None, status, amerita, description, monto, topic, satisfaction,
                       created_at, created_at, closed_at, current_vol, current_due,
                       compose([description], fur_texts)))
        if bar and i % 1000 == 0:
            bar.update(1000)
    if bar:
        bar.close()
    engine = make_engine(database_url)
    tables = {
        "contacts": (["id", "phone", "channel", "estado_clave", "opt_out", "handoff", "created_at"],
                     [(c[0], c[1], c[2], c[3], False, False, datetime.now(UTC)) for c in contacts]),
        "cases": (["id", "folio", "tipo", "canal", "estado_clave", "contact_id", "status", "amerita_gestion",
                   "description", "monto", "topic", "satisfaction", "created_at", "updated_at", "closed_at",
                   "current_volante_id", "current_due_date", "search_text"], cases),
        "volantes": (["id", "case_id", "numero", "estado_clave", "enlace_id", "instructions", "status", "plazo_dias",
                      "sent_at", "due_date", "answered_at", "closed_at", "turned_by_id", "canal", "tipo",
                      "case_estado_clave", "first_answer", "round_first_id", "review_due_date",
                      "fur_filed_by_id", "fur_resultado", "fur_monto_reclamado", "fur_monto_reembolsado"], volantes),
        "furs": (["id", "volante_id", "case_id", "fecha_respuesta", "acciones", "respuesta_ciudadano", "resultado",
                  "monto_reclamado", "monto_reembolsado", "fecha_reembolso", "is_draft", "filed_by_id", "filed_at",
                  "created_at", "updated_at"], furs),
        "reviews": (["id", "volante_id", "fur_id", "decision", "reason", "reviewer_id", "created_at"], reviews),
    }
    if "current_due_date" not in {c["name"] for c in inspect(engine).get_columns("cases")}:
        # a database migrated to a revision before 0025 (migration tests fill one)
        columns, rows = tables["cases"]
        at = columns.index("current_due_date")
        tables["cases"] = ([c for c in columns if c != "current_due_date"], [r[:at] + r[at + 1:] for r in rows])
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur:
                for table, (columns, rows) in tables.items():
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
                for year, last in seq.items():
                    cur.execute("INSERT INTO folio_counters (year, last) VALUES (%s, %s) ON CONFLICT (year) "
                                "DO UPDATE SET last = GREATEST(folio_counters.last, EXCLUDED.last)", (year, last))
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # statistics and the visibility map, as autovacuum keeps them on a live database
            # (index-only scans read the map; a bulk load has not been vacuumed yet)
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            # SQLite's report triggers (migration 0022) run per row, ~0.2 ms each: set aside for
            # the bulk load and put back as they were, with the stored figures emptied (an empty
            # store is always exact; PostgreSQL's statement triggers run once per COPY)
            triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                                         " AND name LIKE 'report_rollups%'")).all()
            for name, _sql in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
            for table, (columns, rows) in tables.items():
                placeholders = ", ".join(f":{c}" for c in columns)
                conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"),
                             [dict(zip(columns, row, strict=True)) for row in rows])
            for _name, sql in triggers:
                conn.exec_driver_sql(sql)
            if triggers:
                conn.execute(text("DELETE FROM report_rollups"))
            for year, last in seq.items():
                conn.execute(text("INSERT OR REPLACE INTO folio_counters (year, last) VALUES (:y, :l)"),
                             {"y": year, "l": last})
    engine.dispose()
    return {"cases": len(cases), "volantes": len(volantes), "furs": len(furs), "contacts": len(contacts)}


def _bar(enabled: bool, total: int, unit: str):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=f" {unit}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from core.config import Settings
    from core.migrate import upgrade

    url = args.database_url or Settings.from_env().database_url
    upgrade(url)
    print(generate(url, args.cases))


if __name__ == "__main__":
    main()
