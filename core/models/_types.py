"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Index, Table, TypeDecorator

from core.timeutil import now


def utcnow() -> datetime:
    return now()  # core.timeutil's clock (clock_at sets it for demo data)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


JSONType = JSON().with_variant(JSON(), "sqlite")


def postgresql_only(table: Table, index: Index) -> Index:
    """Attach an index that PostgreSQL alone has (full-text, trigrams): create_all leaves it out
    elsewhere, and so does the schema comparison (core.migrate.include_object_for)."""
    index.info["dialects"] = ("postgresql",)
    if index.table is None:  # an expression index does not always find its table by itself
        table.append_constraint(index)
    return index.ddl_if(dialect="postgresql")
