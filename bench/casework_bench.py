"""Issue 17 on PostgreSQL filled with 500k cases: what reopen, duplicates and collision control add.

- the queue page p95 (the issue's bar: <= 100 ms at 500k) and the case page, which now also
  reads possible duplicates, merged folios and reopenings and stamps presence in Redis;
- register_case (bot, WhatsApp, a contact with earlier cases) now looking for duplicates and
  claiming versions, beside the duplicate query alone, and by phone as the call-center form does;
- reopen and merge as a whole service call.
Timings in-process (Flask test client / direct service calls, rolled back). Run under
pg_virtualenv: `pg_virtualenv -t -- python bench/casework_bench.py`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Redis, header, percentile, write_section
from bench.dataset import app_database, login

N_CASES = int(os.environ.get("BENCH_CASES", "500000"))
REPS = int(os.environ.get("BENCH_REPS", "30"))


def samples_ms(fn, reps=REPS) -> tuple[float, float]:
    fn()  # warm
    out = []
    for _ in range(reps):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return percentile(out, 0.5), percentile(out, 0.95)


def main() -> None:
    redis = Redis()
    load_before = os.getloadavg()[0]
    url, _, _ = app_database(N_CASES, REDIS_URL=redis.url)

    from sqlalchemy import func, select

    from backoffice.app import create_app
    from core.actors import BOT, Actor
    from core.db import session_factory
    from core.duplicates import find_candidates
    from core.models import Case, Contact, User
    from core.services import cases as svc
    from core.services.merge import merge_cases
    from core.services.reopen import reopen_case

    factory = session_factory(url)
    with factory() as s:
        turnada = s.scalar(select(Case.id).where(Case.estado_clave == "14", Case.status == "turnada",
                                                 Case.contact_id.is_not(None)).limit(1))
        # the contact with the most cases: the heaviest duplicate look-up
        busy_contact = s.execute(select(Case.contact_id, func.count()).where(Case.contact_id.is_not(None))
                                 .group_by(Case.contact_id).order_by(func.count().desc()).limit(1)).first()[0]
        vinc = s.scalar(select(User).where(User.email == "vinculacion@sinac.local"))
        vin = Actor.from_user(vinc)
    app = create_app(TESTING=False, RATELIMIT_ENABLED=False)
    rows = []
    clients = {}
    for email, label, path in [
        ("enlace.jal@sinac.local", "queue page, enlace (Jalisco)", "/volantes/"),
        ("vinculacion@sinac.local", "queue page, vinculación", "/volantes/"),
        ("vinculacion@sinac.local", "case page (duplicates, merges, reopenings, presence)", f"/casos/{turnada}"),
    ]:
        if email not in clients:
            clients[email] = app.test_client()
            login(clients[email], email)
        client = clients[email]

        def get(client=client, path=path):
            assert client.get(path).status_code == 200

        rows.append((label, *samples_ms(get)))
        print(f"  {rows[-1][0]:<55} p50={rows[-1][1]:7.1f} ms  p95={rows[-1][2]:7.1f} ms", flush=True)

    with factory() as s:
        contact = s.get(Contact, busy_contact)
        sample = s.scalar(select(Case).where(Case.contact_id == contact.id).order_by(Case.created_at.desc()).limit(1))

        def register():
            svc.register_case(s, BOT, tipo=sample.tipo, canal="whatsapp", estado_clave=sample.estado_clave,
                              contact=contact, description="Otra vez lo mismo", unidad=sample.unidad,
                              monto=sample.monto)
            s.rollback()

        def candidates():
            find_candidates(s, tipo=sample.tipo, estado_clave=sample.estado_clave, contact_id=contact.id,
                            unidad=sample.unidad, monto=sample.monto)

        def by_phone():
            find_candidates(s, tipo=sample.tipo, estado_clave=sample.estado_clave, phone=contact.phone[-10:],
                            curp="GODE561231HDFRRN09")
            s.rollback()

        concluded = s.scalars(select(Case).where(Case.status == "concluida").limit(REPS + 1)).all()
        it = iter(concluded)

        def reopen():
            case = next(it)
            reopen_case(s, case, vin, "La persona dice que no se resolvió")
            s.rollback()

        open_cases = s.scalars(select(Case).where(Case.status == "turnada", Case.estado_clave == "14")
                               .limit(2 * REPS + 2)).all()
        pairs = iter(zip(open_cases[::2], open_cases[1::2], strict=False))

        def merge():
            dup, survivor = next(pairs)
            merge_cases(s, dup, survivor, vin, "bench")
            s.rollback()

        page_case = s.get(Case, turnada)

        def duplicates_block():
            from core.duplicates import open_candidates

            open_candidates(s, page_case)
            s.scalars(select(Case).where(Case.possible_duplicate_id == page_case.id)).all()
            s.scalars(select(Case).where(Case.merged_into_id == page_case.id)).all()

        def presence_touch():
            from backoffice import presence

            with app.app_context():
                presence.touch(s, page_case.id, vinc.id)

        for label, fn in [("case page's duplicate look-ups alone", duplicates_block),
                          ("case page's presence stamp alone (Redis + names)", presence_touch),
                          ("register_case (bot, contact with earlier cases)", register),
                          ("find_candidates by contact", candidates),
                          ("find_candidates by phone + CURP (call-center form)", by_phone),
                          ("reopen_case (concluded -> new volante)", reopen),
                          ("merge_cases", merge)]:
            rows.append((label, *samples_ms(fn)))
            print(f"  {rows[-1][0]:<55} p50={rows[-1][1]:7.1f} ms  p95={rows[-1][2]:7.1f} ms", flush=True)
    redis.stop()
    body = header("pg_virtualenv -t -- python bench/casework_bench.py")
    body += (f"\nData: {N_CASES:,} cases generated by bench/generate.py; {REPS} runs each after one warm-up; "
             f"service calls rolled back. Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
             "(2 cores shared with other work).\n\n| what | p50 ms | p95 ms |\n|---|---|---|\n")
    body += "".join(f"| {label} | {p50:.1f} | {p95:.1f} |\n" for label, p50, p95 in rows)
    body += ("\nThe queue page's code is not changed by issue 17 (it is here as the issue's bar and as a gauge of "
             "the machine's load: compare it with the back-office section's quiet-machine figures). The case "
             "page's new reads are the two rows below it.\n")
    write_section("casework", "Reopen, duplicates, collisions (issue 17)", body)


if __name__ == "__main__":
    main()
