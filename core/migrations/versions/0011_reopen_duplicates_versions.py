"""reopen, duplicates and optimistic versions (issue 17, items 1-3)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

- cases.version / furs.version (+ furs.updated_by_id): optimistic concurrency of the case page's
  forms and of FUR drafts (core.versions).
- cases.ronda / volantes.ronda and the reopenings table: a concluded or attended case reopened
  for a new round on the same folio (core.reopen).
- cases.merged_into_id / cases.possible_duplicate_id: duplicates detected at registration and
  merged by vinculación (core.duplicates); ix_cases_curp for the look-up by CURP.
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("ronda", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("possible_duplicate_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cases_merged_into_id"), ["merged_into_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_possible_duplicate_id"), ["possible_duplicate_id"],
                              unique=False)
        batch_op.create_index("ix_cases_curp", ["curp"], unique=False)
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ronda", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("furs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_furs_updated_by_id_users"), "users", ["updated_by_id"], ["id"])
    op.create_table(
        "reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ronda", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("by_affiliate", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_reopenings_actor_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reopenings_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reopenings")),
    )
    with op.batch_alter_table("reopenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reopenings_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reopenings_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reopenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reopenings_created_at"))
        batch_op.drop_index(batch_op.f("ix_reopenings_case_id"))
    op.drop_table("reopenings")
    with op.batch_alter_table("furs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_furs_updated_by_id_users"), type_="foreignkey")
        batch_op.drop_column("updated_by_id")
        batch_op.drop_column("version")
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.drop_column("ronda")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_curp")
        batch_op.drop_index(batch_op.f("ix_cases_possible_duplicate_id"))
        batch_op.drop_index(batch_op.f("ix_cases_merged_into_id"))
        batch_op.drop_column("possible_duplicate_id")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("ronda")
        batch_op.drop_column("version")
