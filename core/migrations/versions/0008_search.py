"""search box: cases.search_text, Spanish full-text search, phones by their last digits

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

- cases.search_text: the description, unidad, concepto, FUR texts and notes of the case,
  folded (lower case, no accents); filled here for existing cases, then kept by
  core.models.search_text on every flush.
- PostgreSQL: `unaccent` when the server offers it (a trusted extension: the database owner may
  create it); the text search configuration `sinac_es`, a copy of `spanish` with unaccent before
  the Spanish stemmer when available; a GIN index on to_tsvector('sinac_es', search_text);
  trigram indexes on contacts.phone and cases.contacto_telefono (LIKE '%5678').
- The description's trigram index (0006) goes, on both databases: words are found through
  search_text now.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _create_unaccent(bind) -> bool:
    available = bind.scalar(sa.text("SELECT count(*) FROM pg_available_extensions WHERE name = 'unaccent'"))
    if not available:
        return False
    try:
        with bind.begin_nested():  # a refused CREATE EXTENSION must not abort the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:  # no privilege: the stored text is folded anyway
        return False
    return True


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
        batch_op.drop_index("ix_cases_description_trgm")
    from core.models.search_text import backfill

    bind = op.get_bind()
    backfill(bind)
    if bind.dialect.name != "postgresql":
        return
    unaccent = _create_unaccent(bind)
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE TEXT SEARCH CONFIGURATION sinac_es (COPY = pg_catalog.spanish)")
    if unaccent:
        op.execute("ALTER TEXT SEARCH CONFIGURATION sinac_es ALTER MAPPING FOR hword, hword_part, word "
                   "WITH unaccent, spanish_stem")
    op.execute("CREATE INDEX ix_cases_search ON cases USING gin (to_tsvector('sinac_es'::regconfig, search_text))")
    op.execute("CREATE INDEX ix_contacts_phone_trgm ON contacts USING gin (phone gin_trgm_ops)")
    op.execute("CREATE INDEX ix_cases_contacto_telefono_trgm ON cases USING gin (contacto_telefono gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in ("ix_cases_contacto_telefono_trgm", "ix_contacts_phone_trgm", "ix_cases_search"):
            op.execute(f"DROP INDEX {name}")
        op.execute("DROP TEXT SEARCH CONFIGURATION sinac_es")
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.drop_column("search_text")
        op.create_index("ix_cases_description_trgm", "cases", ["description"], unique=False,
                        postgresql_using="gin", postgresql_ops={"description": "gin_trgm_ops"})
        return
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("search_text")
        batch_op.create_index("ix_cases_description_trgm", ["description"], unique=False)
