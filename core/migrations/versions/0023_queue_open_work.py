"""partial indexes for the back-office queue's open work at 500k cases (stop 30)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

The queue lists the open cases (registrada, turnada, respondida), a few percent of a year's
cases, and counts the overdue ones among them on every page view. Measured on 500k cases
(docs/benchmarks.md, "Queue at 500k, stop 30"), its plans read the closed history instead:
oldest-first walked ~460k closed rows of the created_at index, the overdue count read every
open case's row to join it to the open volantes, the due-date order hashed every volante. These
indexes hold only the open work (backoffice.queue writes the same predicates as literals):

- cases (created_at, id) and (estado_clave, created_at, id) where the case is open: a page in
  either order, nationally and per estado, is an index range, however deep the page;
- cases (estado_clave, current_volante_id, status, created_at, id) where the case is open: the
  open cases' current rounds, statuses and dates from the index alone (the chips' counts, the
  overdue count, a round filter's page, the due-date order);
- volantes (due_date, id) where the round's clock runs (abierto, not paused): the overdue ones
  are a range of it.
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

OPEN_WORK = "status IN ('registrada', 'turnada', 'respondida')"
RUNNING_ROUND = "status = 'abierto' AND paused_at IS NULL"
INDEXES = (
    ("ix_cases_open_created", "cases", ["created_at", "id"], OPEN_WORK),
    ("ix_cases_open_estado_created", "cases", ["estado_clave", "created_at", "id"], OPEN_WORK),
    ("ix_cases_open_volante", "cases", ["estado_clave", "current_volante_id", "status", "created_at", "id"], OPEN_WORK),
    ("ix_volantes_running_due", "volantes", ["due_date", "id"], RUNNING_ROUND),
)


def upgrade() -> None:
    import sqlalchemy as sa

    for name, table, columns, where in INDEXES:
        op.create_index(name, table, columns, unique=False, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
