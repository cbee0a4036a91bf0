"""login_throttles: failed logins counted per (account, client address)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Five failed logins in a row lock that (e-mail, IP) pair for 15 minutes (core/users.py), instead
of the whole account: a stranger elsewhere can no longer lock a colleague out. The account-wide
users.failed_logins / locked_until columns stay (no longer written by logins).
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", "ip", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttles_updated_at"))
    op.drop_table("login_throttles")
