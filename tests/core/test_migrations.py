"""Migrations build the schema from empty, match the models, and go down and up again."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from core.db import make_engine
from core.migrate import downgrade, head_revision, is_at_head, schema_diff, upgrade
from core.models import Estado


def test_empty_to_head_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    engine = make_engine(url)
    assert is_at_head(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Estado)) == 32
        diff = schema_diff(conn)
    assert diff == []
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert is_at_head(engine)
    engine.dispose()


def test_test_database_is_at_head(database_url):
    from core.db import engine_for

    assert is_at_head(engine_for(database_url))
    assert head_revision()


def test_models_match_migrations_on_test_database(database_url):
    from core.db import engine_for

    with engine_for(database_url).connect() as conn:
        diff = schema_diff(conn)
    assert diff == []
