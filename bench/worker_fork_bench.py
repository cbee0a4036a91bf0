"""What a work horse forked per job costs a dialogue turn (issue 18): the same turns ('hola', then
'¿me cubren el parto?' from new phones) run in a child forked from a warmed-up worker, as RQ's
forking worker does, and in the warm process itself, as workers.worker.InProcessWorker does.
CPU (user + system, the child's included) and wall time per turn; the reply is stored, not sent.

    python bench/worker_fork_bench.py            # SQLite in a temporary directory
    pg_virtualenv -t -- python bench/worker_fork_bench.py
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import database_url, header, percentile, write_section

TURNS = int(os.environ.get("BENCH_TURNS", "40"))
BODIES = ("hola", "¿me cubren el parto?")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="sinac-fork-"))
    db_url = database_url(tmp)
    instance = tmp / "instance"
    instance.mkdir()
    os.environ.update(DATABASE_URL=db_url, SINAC_INSTANCE_DIR=str(instance), SINAC_JOBS="inline",
                      OUTBOUND_PART_GAP_SECONDS="0.05")
    from core.migrate import upgrade

    upgrade(db_url)
    from bot.nlu.engine import train

    train(inst_dir=instance)
    from bot.inbox import record_inbound
    from bot.turns import handle_inbound
    from core.config import Settings
    from core.db import engine_for, session_factory
    from core.seed import seed
    from workers.worker import freeze_heap, warm_up

    settings = Settings.from_env()
    with session_factory(db_url)() as session:
        seed(session)
        session.commit()
    warm_up()  # what SinacWorker does before it forks: imports, NLU, coverage, engine (pool emptied)
    engine_for(db_url).dispose()
    freeze_heap()
    Session = session_factory(db_url)
    phones = iter(range(1, 10**6))

    def store(body: str, n: int, k: int) -> int:
        with Session() as session:
            message, _ = record_inbound(session, {
                "MessageSid": f"SM{n:016d}{k:016d}", "From": f"whatsapp:+52339{n:07d}",
                "To": "whatsapp:+15550000000", "Body": body, "NumMedia": "0", "AccountSid": "AC" + "0" * 32})
            session.commit()
            return message.id

    def turn(message_id: int) -> None:
        with Session() as session:
            handle_inbound(session, message_id, settings=settings)
            session.commit()

    results: dict[str, tuple[list[float], list[float]]] = {}
    for mode in ("forked work horse", "in process"):
        walls, cpus = [], []
        for _ in range(TURNS // len(BODIES)):
            n = next(phones)
            for k, body in enumerate(BODIES):
                message_id = store(body, n, k)
                started = time.perf_counter()
                if mode == "forked work horse":
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    pid = os.fork()
                    if pid == 0:
                        turn(message_id)
                        os._exit(0)
                    os.waitpid(pid, 0)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                else:
                    before_cpu = time.process_time()
                    turn(message_id)
                    cpu = time.process_time() - before_cpu
                walls.append(time.perf_counter() - started)
                cpus.append(cpu)
        results[mode] = (walls, cpus)

    load = os.getloadavg()[0]
    rows = ["| where the turn runs | turns | CPU mean ms | wall p50 ms | wall p95 ms |", "|---|---|---|---|---|"]
    for mode, (walls, cpus) in results.items():
        rows.append(f"| {mode} | {len(walls)} | {1000 * sum(cpus) / len(cpus):.0f} | "
                    f"{1000 * percentile(walls, 0.5):.0f} | {1000 * percentile(walls, 0.95):.0f} |")
    table = "\n".join(rows)
    print(table)
    kind = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
    body = (header("python bench/worker_fork_bench.py") +
            f"Database: {kind}. Load average (1 min) at the end: {load:.1f}. Each turn: a new phone's 'hola' or "
            "'¿me cubren el parto?' (a coverage answer that registers a case), the dialogue and its commit, "
            "the reply stored (not sent). The forked child starts from the warmed, frozen heap as RQ's "
            "forking worker's horse does: it pays the fork, its copy-on-write faults, a new database "
            "connection and SQLAlchemy compiling each statement again; the in-process turn keeps them warm "
            "(workers/worker.py InProcessWorker, the Procfile's worker).\n\n" + table + "\n")
    write_section("worker-fork", "A fork per job (issue 18)", body)


if __name__ == "__main__":
    main()
