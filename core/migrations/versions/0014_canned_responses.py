"""canned responses (issue 17, item 4)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

Texts with placeholders ({folio}, {nombre_unidad}, {fecha}, ...) that enlaces insert in a FUR's
text fields and staff in handoff replies: national (estado_clave NULL) or for one estado, managed
by admins (core.canned). ix_canned_responses_estado_active serves the picker's look-up.
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canned_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("estado_clave", sa.String(length=2), nullable=True),
        sa.Column("titulo", sa.String(length=120), nullable=False),
        sa.Column("cuerpo", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["estado_clave"], ["estados.clave"],
                                name=op.f("fk_canned_responses_estado_clave_estados")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_canned_responses_created_by_id_users")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_canned_responses_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
    )
    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.create_index("ix_canned_responses_estado_active", ["estado_clave", "active"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("canned_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_canned_responses_estado_active")
    op.drop_table("canned_responses")
