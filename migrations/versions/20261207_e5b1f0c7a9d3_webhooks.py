"""Webhooks: where events are posted, each message for them, and each delivery attempt

Revision ID: e5b1f0c7a9d3
Revises: c3d9a7e1f254
Create Date: 2026-12-07 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b1f0c7a9d3"
down_revision = "c3d9a7e1f254"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "webhook_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("msg_id", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_webhook_messages_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_messages")),
        sa.UniqueConstraint("msg_id", name=op.f("uq_webhook_messages_msg_id")),
        sa.UniqueConstraint("webhook_id", "key", name=op.f("uq_webhook_messages_webhook_id_key")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_webhook_messages_webhook_id"), "webhook_messages", ["webhook_id"], unique=False
    )
    op.create_index(
        op.f("ix_webhook_messages_next_attempt_at"),
        "webhook_messages",
        ["next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["webhook_messages.id"],
            name=op.f("fk_webhook_attempts_message_id_webhook_messages"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_webhook_attempts_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_webhook_attempts_message_id"), "webhook_attempts", ["message_id"], unique=False
    )
    op.create_index(
        op.f("ix_webhook_attempts_webhook_id"), "webhook_attempts", ["webhook_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_webhook_attempts_webhook_id"), table_name="webhook_attempts")
    op.drop_index(op.f("ix_webhook_attempts_message_id"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index(op.f("ix_webhook_messages_next_attempt_at"), table_name="webhook_messages")
    op.drop_index(op.f("ix_webhook_messages_webhook_id"), table_name="webhook_messages")
    op.drop_table("webhook_messages")
    op.drop_table("webhooks")
