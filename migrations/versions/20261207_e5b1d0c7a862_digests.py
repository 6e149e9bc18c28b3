"""Digests by email: each person's frequency, and a record of every digest sent

Revision ID: e5b1d0c7a862
Revises: e5b1f0c7a9d3
Create Date: 2026-12-07 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b1d0c7a862"
down_revision = "e5b1f0c7a9d3"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("feed_states", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("digest", sa.String(length=8), server_default="weekly", nullable=False)
        )
        batch_op.add_column(
            sa.Column("digest_epoch", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "digests_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=12), nullable=False),
        sa.Column("since", UTC_DATETIME, nullable=False),
        sa.Column("until", UTC_DATETIME, nullable=False),
        sa.Column("insights", sa.Integer(), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digests_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests_sent")),
        sa.UniqueConstraint("user_id", "period", name=op.f("uq_digests_sent_user_id_period")),
    )  # fmt: skip


def downgrade():
    op.drop_table("digests_sent")
    with op.batch_alter_table("feed_states", schema=None) as batch_op:
        batch_op.drop_column("digest_epoch")
        batch_op.drop_column("digest")
