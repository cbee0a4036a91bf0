"""the national review's clock (issue 17, item 5)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

volantes.review_due_date: the day Vinculación should have reviewed the round's FUR by
(core.review_clock), set by core.services.cases when the FUR is filed. FURs awaiting review when
this runs get theirs from their filing date and the plazo in force (the same business-day
calendar as every plazo); rounds reviewed before the clock existed keep none and are counted in
neither review figure of the monthly report.
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_due_date", sa.Date(), nullable=True))
        batch_op.create_index("ix_volantes_review_due_date", ["review_due_date"], unique=False)
    bind = op.get_bind()
    pending = bind.execute(sa.text(
        "SELECT id, answered_at FROM volantes WHERE status = 'respondido' AND answered_at IS NOT NULL")).all()
    if not pending:
        return
    from core.plazos import DEFAULT_REVISION, REVISION, BusinessCalendar
    from core.timeutil import local_date

    extra = {row[0] for row in bind.execute(sa.text("SELECT fecha FROM holidays"))}
    cal = BusinessCalendar({_as_date(d) for d in extra})
    raw = bind.execute(sa.text("SELECT value FROM settings WHERE key = :k"), {"k": f"plazo.{REVISION}"}).scalar()
    days = max(1, int(raw)) if raw and str(raw).strip().isdigit() else DEFAULT_REVISION
    for volante_id, answered_at in pending:
        answered_at = _as_datetime(answered_at)
        bind.execute(sa.text("UPDATE volantes SET review_due_date = :d WHERE id = :i"),
                     {"d": cal.add(local_date(answered_at), days), "i": volante_id})


def _as_date(value):
    from datetime import date

    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_datetime(value):
    from datetime import datetime

    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def downgrade() -> None:
    with op.batch_alter_table("volantes", schema=None) as batch_op:
        batch_op.drop_index("ix_volantes_review_due_date")
        batch_op.drop_column("review_due_date")
