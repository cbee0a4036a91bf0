"""what the monthly report reads on each volante (issue 22 item 1)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

- volantes.canal / volantes.tipo / volantes.case_estado_clave: the case's canal and tipo (they
  never change) and its current estado (changed by a reassignment), so figures driven by volantes
  group by them without joining every case;
- volantes.first_answer: this volante's FUR was the case's first answer ("días a la primera
  respuesta"), instead of searching the case's earlier volantes per row;
- volantes.round_first_id: the first volante of its round ("días a la conclusión" counts from
  its sent_at), instead of grouping every volante of the table per case and round.

Backfilled from the rows as they are; core.services.cases keeps them from then on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BACKFILL_PG = (  # one pass: every row written once
    ("UPDATE volantes v SET canal = s.canal, tipo = s.tipo, case_estado_clave = s.estado_clave,"
    " first_answer = s.first_answer,"
    " round_first_id = s.round_first_id FROM ("
    " SELECT w.id, c.canal, c.tipo, c.estado_clave,"
    " coalesce(w.numero = min(w.numero) FILTER (WHERE w.answered_at IS NOT NULL)"
    " OVER (PARTITION BY w.case_id), false) AND w.answered_at IS NOT NULL AS first_answer,"
    " first_value(w.id) OVER (PARTITION BY w.case_id, w.ronda ORDER BY w.numero) AS round_first_id"
    " FROM volantes w JOIN cases c ON c.id = w.case_id"
    ") s WHERE s.id = v.id"),
)
BACKFILL_PORTABLE = (
    ("UPDATE volantes SET canal = (SELECT canal FROM cases WHERE cases.id = volantes.case_id),"
    " tipo = (SELECT tipo FROM cases WHERE cases.id = volantes.case_id),"
    " case_estado_clave = (SELECT estado_clave FROM cases WHERE cases.id = volantes.case_id)"),
    ("UPDATE volantes SET first_answer = 1 WHERE answered_at IS NOT NULL AND NOT EXISTS ("
    " SELECT 1 FROM volantes e WHERE e.case_id = volantes.case_id AND e.answered_at IS NOT NULL"
    " AND e.numero < volantes.numero)"),
    ("UPDATE volantes SET round_first_id = (SELECT e.id FROM volantes e WHERE e.case_id = volantes.case_id"
    " AND e.ronda = volantes.ronda ORDER BY e.numero LIMIT 1)"),
)


def upgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("canal", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("tipo", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("case_estado_clave", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("first_answer", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("round_first_id", sa.Integer(), nullable=True))
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in BACKFILL_PG if postgres else BACKFILL_PORTABLE:
        op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.drop_column("round_first_id")
        batch_op.drop_column("first_answer")
        batch_op.drop_column("case_estado_clave")
        batch_op.drop_column("tipo")
        batch_op.drop_column("canal")
