"""the current round's due date on the case row, for the queue's due-date order (issues 16/17)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

The queue's «Vencimiento más próximo» sorts the cases by their current round's due date. Looked
up per case (by primary key, 0023) Vinculación's national queue read ~21,700 rounds per page view
at 500k cases: ~200 ms of CPU (docs/benchmarks.md, «Queue at 500k»). cases.current_due_date is
that date on the case row, kept on every flush by core.models.current_due; backfilled here from
volantes. Two partial indexes over the open work (the queue's default list) give the order a
range to read, nationally and per estado (an enlace, or Vinculación with an estado filter).

At 500k cases the backfill rewrites every case with a round once (PostgreSQL recomputes the
stored search vector of 0024 with it).
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OPEN_WORK = "status IN ('registrada', 'turnada', 'respondida')"
INDEXES = (
    ("ix_cases_open_due", ["current_due_date", "id"]),
    ("ix_cases_open_estado_due", ["estado_clave", "current_due_date", "id"]),
)


def upgrade() -> None:
    op.add_column("cases", sa.Column("current_due_date", sa.Date(), nullable=True))
    # the indexes before the backfill: after an UPDATE of cases, PostgreSQL refuses CREATE INDEX
    # in the same transaction (0022's deferred trigger has events pending until the commit)
    for name, columns in INDEXES:
        op.create_index(name, "cases", columns, unique=False, postgresql_where=sa.text(OPEN_WORK),
                        sqlite_where=sa.text(OPEN_WORK))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE cases SET current_due_date = v.due_date FROM volantes v "
                   "WHERE v.id = cases.current_volante_id")
    else:
        op.execute("UPDATE cases SET current_due_date = (SELECT v.due_date FROM volantes v "
                   "WHERE v.id = cases.current_volante_id) WHERE current_volante_id IS NOT NULL")


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, table_name="cases")
    # SQLite drops the column in place (3.35+): a batch copy of the table would lose 0022's triggers
    op.execute("ALTER TABLE cases DROP COLUMN current_due_date")
