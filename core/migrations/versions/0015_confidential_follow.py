"""confidential reports and the public follow code (issue 17, item 9)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07

- cases.confidencial: the affiliate asked that the unit not learn who they are (docs/confidential.md).
- cases.follow_code_hash: the argon2 hash of the code that, with the folio, opens the public
  follow page (core.follow); the code itself is shown once and never stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidencial", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("follow_code_hash", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("follow_code_hash")
        batch_op.drop_column("confidencial")
