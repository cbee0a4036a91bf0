"""indexes on the event timestamps the monthly report filters by

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 06:10:00
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_cases_closed_at', 'cases', 'closed_at'),
    ('ix_cases_satisfaction_at', 'cases', 'satisfaction_at'),
    ('ix_volantes_answered_at', 'volantes', 'answered_at'),
    ('ix_volantes_closed_at', 'volantes', 'closed_at'),
    ('ix_messages_created_at', 'messages', 'created_at'),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False)


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
