"""The documented backup (pg_dump) restores into a working database (docs/deploy.md §7)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from core.db import make_engine
from core.migrate import is_at_head
from core.models import AuditEvent, Case


def test_pg_dump_and_restore_round_trip(database_url, is_postgres, make, db, tmp_path):
    if not is_postgres or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL and pg_dump")
    make.enlace("14")
    make.filed_case("cobro_injustificado", "14", monto=800)
    make.case("queja", "09")
    url = make_url(database_url)
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "sinac.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq], check=True)
    restore_db = f"{url.database}_restore_check"  # beside this xdist worker's own database
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {restore_db}"))
        conn.execute(text(f"CREATE DATABASE {restore_db}"))
    target = url.set(database=restore_db)
    try:
        subprocess.run(["pg_restore", "--no-owner",
                        f"--dbname={target.set(drivername='postgresql').render_as_string(hide_password=False)}",
                        str(dump)], check=True)
        restored = make_engine(target.render_as_string(hide_password=False))
        assert is_at_head(restored)
        with restored.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Case)) == 2
            assert conn.scalar(select(func.count()).select_from(AuditEvent)) == db.scalar(
                select(func.count()).select_from(AuditEvent))
            folios = set(conn.scalars(select(Case.folio)))
        assert folios == set(db.scalars(select(Case.folio)))
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {restore_db}"))
        admin.dispose()
