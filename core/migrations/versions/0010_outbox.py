"""outbox_jobs: every job written in the transaction of the change that asks for it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A row per job (name, id-only arguments, queue); the process that committed hands it to RQ and
marks it, the relay (workers/relay.py) hands over what was not, the worker marks it done
(core/outbox.py). A partial index covers the rows not done, the only ones the relay reads.
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("queue", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("created_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("available_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("enqueued_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("enqueues", sa.Integer(), nullable=False),
        sa.Column("done_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
    )
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_jobs_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_jobs_done_at"), ["done_at"], unique=False)
        batch_op.create_index("ix_outbox_jobs_open", ["available_at"], unique=False,
                              postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))


def downgrade() -> None:
    with op.batch_alter_table("outbox_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_jobs_open")
        batch_op.drop_index(batch_op.f("ix_outbox_jobs_done_at"))
        batch_op.drop_index(batch_op.f("ix_outbox_jobs_key"))
    op.drop_table("outbox_jobs")
