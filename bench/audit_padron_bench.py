"""Issue 17 items 8-10 at scale: the admin audit screen's searches over BENCH_AUDIT_EVENTS events
(default 300,000; mostly case views, the bulk of the table), one case view recorded (insert +
commit), the public follow page's check, and the padrón import and look-up for BENCH_PADRON rows
(default 20,000). Run: `pg_virtualenv -- python bench/audit_padron_bench.py` (SQLite without it).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, write_section
from bench.dataset import estados_session, fresh_database

N_EVENTS = int(os.environ.get("BENCH_AUDIT_EVENTS", "300000"))
N_PADRON = int(os.environ.get("BENCH_PADRON", "20000"))
REPEAT = 20


def _median_ms(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _curp(i: int) -> str:
    """A distinct well-formed CURP per i (the consonants and the homoclave count up)."""
    from core.text.curp import check_digit

    consonants, alnum = "BCDFGHJKLMNPQRSTVWXZ", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    inner = consonants[i % 20] + consonants[i // 20 % 20] + consonants[i // 400 % 20]
    body = f"GOMA900101HDF{inner}{alnum[i // 8000 % 36]}"
    return body + check_digit(body)


def main() -> None:
    from sqlalchemy import insert, text

    from core import audit, follow
    from core.actors import SYSTEM, Actor
    from core.audit_search import AuditFilter, search
    from core.models import AuditEvent, Case, User
    from core.padron import importer
    from core.padron.backends import LocalPadron

    url = fresh_database()
    session = estados_session(url)
    session.commit()
    n_cases = 2000
    start = datetime(2026, 1, 1, tzinfo=UTC)
    session.execute(insert(Case), [
        {"folio": f"SINAC-2026-{i:06d}", "tipo": "queja", "canal": "whatsapp", "estado_clave": "14",
         "status": "turnada", "description": "bench", "created_at": start, "updated_at": start}
        for i in range(1, n_cases + 1)])
    case_ids = [r[0] for r in session.execute(text("SELECT id FROM cases ORDER BY id"))]
    actions = ["caso_consultado"] * 8 + ["login", "turnar"]
    rows = []
    t0 = time.perf_counter()
    for i in range(N_EVENTS):
        action = actions[i % len(actions)]
        rows.append({"case_id": case_ids[i % n_cases] if action != "login" else None,
                     "actor_label": f"usuario{i % 200}@sinac.local", "action": action,
                     "created_at": start + timedelta(seconds=i * 60), "ip": "10.0.0.1", "user_agent": "bench"})
        if len(rows) == 10_000:
            session.execute(insert(AuditEvent), rows)
            rows = []
    if rows:
        session.execute(insert(AuditEvent), rows)
    session.commit()
    fill_s = time.perf_counter() - t0
    if url.startswith("postgresql"):
        session.execute(text("ANALYZE audit_events"))
        session.commit()
    last_id = session.scalar(text("SELECT max(id) FROM audit_events"))
    day = (start + timedelta(seconds=N_EVENTS * 30)).date()
    cases = {
        "no filter, first page": AuditFilter(),
        "one user (full e-mail)": AuditFilter(usuario="usuario7@sinac.local"),
        "users by prefix («usuario1»)": AuditFilter(usuario="usuario1"),
        "one action (login)": AuditFilter(accion="login"),
        "one folio": AuditFilter(folio="SINAC-2026-000777"),
        "one day": AuditFilter(desde=day, hasta=day),
        "a page deep in the table (keyset)": AuditFilter(before=last_id // 10),
    }
    results = {name: _median_ms(lambda f=f: search(session, f)) for name, f in cases.items()}
    user = User(email="usuario1@sinac.local", nombre="Bench", role="vinculacion", password_hash="x")
    session.add(user)
    session.commit()
    vinc = Actor(user.id, user.email, "vinculacion")
    case = session.get(Case, case_ids[0])

    def view():
        audit.record_view(session, vinc, case)
        session.commit()

    view_ms = _median_ms(view, 200)
    code = follow.issue(case)
    session.commit()
    follow_ok = _median_ms(lambda: follow.public_status(session, case.folio, code))
    follow_bad = _median_ms(lambda: follow.public_status(session, "SINAC-2026-999999", code))

    lines = ["curp,nombre,poliza,vigencia,estado,telefono"]
    for i in range(N_PADRON):
        lines.append(f"{_curp(i)},Persona {i},JAL-{i:07d},2027-12-31,Jalisco,33{i:08d}")
    data = ("\n".join(lines) + "\n").encode()
    t0 = time.perf_counter()
    report = importer.import_file(session, SYSTEM, data, "padron.csv", max_rows=max(N_PADRON, importer.MAX_ROWS))
    session.commit()
    import_s = time.perf_counter() - t0
    backend = LocalPadron(session)
    lookup_ms = _median_ms(lambda: backend.by_curp(_curp(N_PADRON // 2)))

    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    table = "\n".join(f"| {name} | {ms:.1f} ms |" for name, ms in results.items())
    body = header("pg_virtualenv -- python bench/audit_padron_bench.py") + (
        f"{engine}, {N_EVENTS:,} audit events ({fill_s:.0f} s to load; 80 % case views) over {n_cases:,} cases "
        f"and 200 users; the admin screen's page of 50, median of {REPEAT}:\n\n"
        "| search | median |\n| --- | --- |\n" + table + "\n\n"
        f"One case view recorded (insert + commit, the case page's only extra work): median {view_ms:.2f} ms "
        "over 200.\n\n"
        f"Public follow page check (argon2id, t=2, m=19 MiB): right folio and code {follow_ok:.0f} ms, unknown folio "
        f"{follow_bad:.0f} ms (the dummy hash keeps both alike).\n\n"
        f"Padrón: import of {N_PADRON:,} rows (read, validate, insert, commit) {import_s:.1f} s "
        f"({report.created:,} new, {len(report.rejected)} rejected); look-up by CURP median {lookup_ms:.2f} ms.\n"
    )
    print(body)
    write_section("audit_padron", "System audit, follow page and padrón (issue 17 items 8-10)", body)


if __name__ == "__main__":
    main()
