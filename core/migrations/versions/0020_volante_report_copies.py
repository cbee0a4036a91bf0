"""what the monthly report reads of a volante's FUR and of its round, on the volante (issue 22 item 1)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

- volantes.fur_filed_by_id / fur_resultado / fur_monto_reclamado / fur_monto_reembolsado:
  copies of the filed FUR's filer, resultado and amounts, so the report's volantes pass
  (conclusions by resultado, cobros' amounts) and its first-answer statement (per-enlace
  figures) read no FUR (each joined all of them: ~350k rows hashed per statement at 500k cases);
- volantes.round_sent_at: when the round's first volante was sent, so "días a la conclusión"
  reads no other volante (it joined every volante to find each round's first).

Backfilled in one UPDATE from the filed FURs and one from each round's first volante;
core.services.fur.save_fur writes the FUR's when it is filed (a filed FUR is never edited
afterwards), core.services.volantes the round's when a volante opens.
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# UPDATE … FROM: PostgreSQL, and SQLite since 3.33
BACKFILL = (
    ("UPDATE volantes SET fur_filed_by_id = furs.filed_by_id, fur_resultado = furs.resultado,"
     " fur_monto_reclamado = furs.monto_reclamado, fur_monto_reembolsado = furs.monto_reembolsado"
     " FROM furs WHERE furs.volante_id = volantes.id AND furs.is_draft = false"),
    ("UPDATE volantes SET round_sent_at = primero.sent_at FROM volantes AS primero"
     " WHERE primero.id = volantes.round_first_id"),
)


def upgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fur_filed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fur_resultado", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("fur_monto_reclamado", sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column("fur_monto_reembolsado", sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column("round_sent_at", core.models._types.UTCDateTime(), nullable=True))
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.drop_column("round_sent_at")
        batch_op.drop_column("fur_monto_reembolsado")
        batch_op.drop_column("fur_monto_reclamado")
        batch_op.drop_column("fur_resultado")
        batch_op.drop_column("fur_filed_by_id")
