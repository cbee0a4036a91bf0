"""indexes for the monthly report at 500k cases (issue 22 item 1)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

- cases (created_at, status, estado_clave): the trend counts the cases registered in each of
  ten months from the index alone (an index-only scan instead of reading ~400k wide rows);
- cases (estado_clave, closed_at) and volantes (case_estado_clave): one state's report reads that
  state's rows (cases closed in the month; volantes by the case's current estado beside their
  own) instead of every row of the table.

And volantes.round_sent_at (0020) goes: a copy of the round's first sending that anything
moving a volante's sent_at would have to keep in step; "días a la conclusión" looks the first
volante up by primary key for the few re-turns instead (core/reports/durations.py).
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_created_status_estado", "cases", ["created_at", "status", "estado_clave"], unique=False)
    op.create_index("ix_cases_estado_closed_at", "cases", ["estado_clave", "closed_at"], unique=False)
    op.create_index("ix_volantes_case_estado_clave", "volantes", ["case_estado_clave"], unique=False)
    # plain ALTER TABLE (PostgreSQL, SQLite since 3.35): a batch copy of volantes would drop the
    # table under the FURs' foreign keys
    op.execute("ALTER TABLE volantes DROP COLUMN round_sent_at")


def downgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round_sent_at", core.models._types.UTCDateTime(), nullable=True))
    op.execute("UPDATE volantes SET round_sent_at = primero.sent_at FROM volantes AS primero"
               " WHERE primero.id = volantes.round_first_id")
    op.drop_index("ix_volantes_case_estado_clave", table_name="volantes")
    op.drop_index("ix_cases_estado_closed_at", table_name="cases")
    op.drop_index("ix_cases_created_status_estado", table_name="cases")
