"""cases.current_volante_id: the latest round of each case, for one-row-per-case lists

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_volante_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_current_volante_id"), ["current_volante_id"], unique=False)
    op.execute(
        "UPDATE cases SET current_volante_id = (SELECT v.id FROM volantes v WHERE v.case_id = cases.id "
        "ORDER BY v.numero DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_current_volante_id"))
        batch_op.drop_column("current_volante_id")
