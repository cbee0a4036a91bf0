"""Call-center daily file benchmark: read + validate, then the all-or-nothing import, for a file
of BENCH_CALLS rows (default 2,000) spread over the 32 states, each turned to an enlace.
Run: `pg_virtualenv -- python bench/callcenter_bench.py` (SQLite without pg_virtualenv).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, write_section
from bench.dataset import estados_session, fresh_database

N_CALLS = int(os.environ.get("BENCH_CALLS", "2000"))


def main() -> None:
    from sqlalchemy import func, select

    from core import callcenter as cc
    from core.actors import SYSTEM
    from core.enums import Role
    from core.estados import ESTADOS
    from core.models import Case, User
    from core.users import hash_password

    url = fresh_database()
    session = estados_session(url)
    hashed = hash_password("Bench-password-1")  # one hash reused: argon2 is not what is measured
    for e in ESTADOS:
        for k in range(2):
            session.add(User(email=f"enlace{k}.{e.abreviatura.lower()}@bench.local", nombre=f"Enlace {e.nombre}",
                             role=Role.ENLACE, estado_clave=e.clave, password_hash=hashed))
    session.commit()
    tipos = ["queja", "Cobro indebido", "orientación", "sugerencia", "felicitación"]
    lines = ["id_llamada;fecha;telefono;estado;tipo;descripcion;monto"]
    for i in range(N_CALLS):
        tipo = tipos[i % len(tipos)]
        monto = "350,00" if tipo == "Cobro indebido" else ""
        lines.append(f"CC-{i:06d};20/11/2026;33{i:08d};{ESTADOS[i % 32].nombre.lower()};{tipo};"
                     f"Llamada de prueba número {i};{monto}")
    data = ("\n".join(lines) + "\n").encode("utf-8")

    t0 = time.perf_counter()
    _cols, body, _ignored = cc.read_table(data, "bench.csv")
    report = cc.validate_rows(session, body, "bench.csv")
    t1 = time.perf_counter()
    cc.import_rows(session, SYSTEM, report)
    session.commit()
    t2 = time.perf_counter()
    stored = session.scalar(select(func.count()).select_from(Case))
    assert stored == N_CALLS == len(report.accepted), (stored, len(report.rejected))

    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    per_row_ms = (t2 - t1) * 1000 / N_CALLS
    body_md = header("pg_virtualenv -- python bench/callcenter_bench.py") + (
        f"{engine}, {N_CALLS:,} calls (CSV, {len(data) / 1024:.0f} KiB), every row turned to an enlace.\n\n"
        "| step | time | per row |\n| --- | --- | --- |\n"
        f"| read + validate every row | {t1 - t0:.2f} s | {(t1 - t0) * 1000 / N_CALLS:.2f} ms |\n"
        f"| import (one transaction, commit) | {t2 - t1:.2f} s | {per_row_ms:.2f} ms |\n\n"
        f"The upload page imports up to {cc.WEB_MAX_ROWS:,} rows inside the request: "
        f"≈ {cc.WEB_MAX_ROWS * per_row_ms / 1000:.0f} s at this rate, "
        f"{'within' if cc.WEB_MAX_ROWS * per_row_ms < 30_000 else 'OVER'} gunicorn's 30 s timeout "
        "(a request killed by the timeout rolls back: still nothing half-imported). "
        "Larger files go through `sinac callcenter import`.\n"
    )
    print(body_md)
    write_section("callcenter", "Call-center daily file import", body_md)


if __name__ == "__main__":
    main()
