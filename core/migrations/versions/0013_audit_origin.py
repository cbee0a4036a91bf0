"""system audit: client address and user agent on audit events, indexes for the admin screen
(issue 17, item 10)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

- audit_events.ip / audit_events.user_agent: where a web request's event came from (core.audit).
- ix_audit_events_action_id / ix_audit_events_actor_label_id: the audit screen lists newest first
  by action or by user (core.audit_search).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ip", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("user_agent", sa.String(length=300), nullable=True))
        batch_op.create_index("ix_audit_events_action_id", ["action", "id"], unique=False)
        batch_op.create_index("ix_audit_events_actor_label_id", ["actor_label", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_actor_label_id")
        batch_op.drop_index("ix_audit_events_action_id")
        batch_op.drop_column("user_agent")
        batch_op.drop_column("ip")
