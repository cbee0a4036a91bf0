"""info_requests: requests for information sent to the affiliate from the case (issue 16, item 1)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

One row per "solicitud de información" an enlace or Vinculación sends from the case page: what
was asked, through which route (WhatsApp session text, approved template or SMS), the outbound
message, whether it paused the round's plazo, and the affiliate's reply once the bot routed it
there (core.services.affiliate_contact). ix_info_requests_contact_status serves the dialogue's
look-up of a contact's open request on every inbound message.
"""

import sqlalchemy as sa
from alembic import op

import core.models._types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "info_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("volante_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("paused_clock", sa.Boolean(), nullable=False),
        sa.Column("reply_message_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", core.models._types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("created_at", core.models._types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_info_requests_case_id_cases")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_info_requests_closed_by_id_users")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_info_requests_contact_id_contacts")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_info_requests_message_id_messages")),
        sa.ForeignKeyConstraint(["reply_message_id"], ["messages.id"],
                                name=op.f("fk_info_requests_reply_message_id_messages")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"],
                                name=op.f("fk_info_requests_requested_by_id_users")),
        sa.ForeignKeyConstraint(["volante_id"], ["volantes.id"], name=op.f("fk_info_requests_volante_id_volantes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_info_requests")),
    )
    with op.batch_alter_table("info_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_info_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_info_requests_contact_status", ["contact_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("info_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_info_requests_contact_status")
        batch_op.drop_index(batch_op.f("ix_info_requests_case_id"))
    op.drop_table("info_requests")
