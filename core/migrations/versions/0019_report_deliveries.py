"""the monthly reports sent by e-mail (issue 17, item 7)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

report_deliveries: one row per sending of a frozen report (national or one estado's) to its
recipients, with each address's outcome, the files attached, the tries and the next one
(core/reports/delivery.py).
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sa.String(length=100), nullable=True),
        sa.Column("resend_of_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deliveries")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_report_deliveries_dedupe_key")),
    )
    op.create_index("ix_report_deliveries_status_next", "report_deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_report_deliveries_month_scope", "report_deliveries", ["month", "scope"])
    op.create_index("ix_report_deliveries_created_at", "report_deliveries", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_report_deliveries_created_at", table_name="report_deliveries")
    op.drop_index("ix_report_deliveries_month_scope", table_name="report_deliveries")
    op.drop_index("ix_report_deliveries_status_next", table_name="report_deliveries")
    op.drop_table("report_deliveries")
