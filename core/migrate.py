"""Alembic driven from code: `sinac db upgrade` and the tests use these."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def schema_diff(connection) -> list:
    """Differences between the models and the database behind `connection`, compared as
    autogenerate compares them. Alembic cannot reflect expression indexes from SQLite and warns
    before any filter runs; for the PostgreSQL-only ones that warning is expected."""
    import warnings

    from alembic.autogenerate import compare_metadata

    from core.db import Base

    context = MigrationContext.configure(
        connection, opts={"include_object": include_object_for(connection.dialect.name)})
    with warnings.catch_warnings():
        for table in Base.metadata.tables.values():
            for index in table.indexes:
                if index.info.get("dialects"):
                    warnings.filterwarnings("ignore", message=f".*expression-based index '{index.name}'")
        return compare_metadata(context, Base.metadata)


# What PostgreSQL alone has and the models do not map (migration 0024): the stored full-text
# vector of cases.search_text, a generated column nothing in Python reads or writes, and its index.
UNMAPPED_POSTGRESQL = {("cases", "column", "search_tsv"), ("cases", "index", "ix_cases_search_tsv")}


def include_object_for(dialect_name: str):
    """Schema comparison filter: indexes declared for other databases only (models'
    `postgresql_only`) are left out, as create_all leaves them out; so are the objects of
    UNMAPPED_POSTGRESQL found in the database."""

    def include_object(obj, name, type_, reflected, compare_to) -> bool:
        if reflected and compare_to is None and dialect_name == "postgresql":
            table = getattr(getattr(obj, "table", None), "name", None)
            if (table, type_, name) in UNMAPPED_POSTGRESQL:
                return False
        dialects = getattr(obj, "info", {}).get("dialects") if type_ == "index" else None
        return not dialects or dialect_name in dialects

    return include_object
