"""padrón de afiliados: the state extract's rows (issue 17, item 8)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

One row per affiliate (unique CURP; a newer extract updates it), looked up by CURP or póliza by the
local padrón backend (core/padron/backends.py). telefono, when the extract has it, is what ties a
phone to the affiliation for the bot's answer (core/padron/answer.py).
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "padron_afiliados",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("curp", sa.String(length=18), nullable=False),
        sa.Column("nombre", sa.String(length=200), nullable=False),
        sa.Column("poliza", sa.String(length=40), nullable=False),
        sa.Column("vigencia", sa.Date(), nullable=False),
        sa.Column("estado_clave", sa.String(length=2), nullable=False),
        sa.Column("telefono", sa.String(length=32), nullable=True),
        sa.Column("archivo", sa.String(length=255), nullable=True),
        sa.Column("imported_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["estado_clave"], ["estados.clave"], name=op.f("fk_padron_afiliados_estado_clave_estados")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_padron_afiliados")),
        sa.UniqueConstraint("curp", name=op.f("uq_padron_afiliados_curp")),
    )
    with op.batch_alter_table("padron_afiliados", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_padron_afiliados_poliza"), ["poliza"], unique=False)
        batch_op.create_index(batch_op.f("ix_padron_afiliados_estado_clave"), ["estado_clave"], unique=False)


def downgrade() -> None:
    op.drop_table("padron_afiliados")
