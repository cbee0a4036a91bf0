"""business days calendar for the monthly report

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'business_days',
        sa.Column('fecha', sa.Date(), nullable=False),
        sa.Column('is_business', sa.Boolean(), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('fecha', name=op.f('pk_business_days')),
    )


def downgrade() -> None:
    op.drop_table('business_days')
