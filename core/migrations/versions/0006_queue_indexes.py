"""indexes for the back-office queue: enlace's newest cases, phone search, description words

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 06:15:00

On PostgreSQL the description index is a GIN trigram index (pg_trgm, a trusted extension) so
`ILIKE '%palabras%'` does not scan every case; SQLite gets a plain index of the same name.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_estado_created_at", "cases", ["estado_clave", "created_at"], unique=False)
    op.create_index("ix_cases_contacto_telefono", "cases", ["contacto_telefono"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_cases_description_trgm", "cases", ["description"], unique=False,
                        postgresql_using="gin", postgresql_ops={"description": "gin_trgm_ops"})
    else:
        op.create_index("ix_cases_description_trgm", "cases", ["description"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_description_trgm", table_name="cases")
    op.drop_index("ix_cases_contacto_telefono", table_name="cases")
    op.drop_index("ix_cases_estado_created_at", table_name="cases")
