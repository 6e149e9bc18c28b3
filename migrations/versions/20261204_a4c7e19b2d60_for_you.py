"""For you: subscriptions, saved searches, feed settings and addresses, insights read

Revision ID: a4c7e19b2d60
Revises: 5c2e8b7a4d19
Create Date: 2026-12-04 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a4c7e19b2d60"
down_revision = "5c2e8b7a4d19"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table, column, target, ondelete="CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "feed_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("feed_token", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("feed_subscriptions", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_subscriptions")),
        sa.UniqueConstraint("feed_token", name=op.f("uq_feed_subscriptions_feed_token")),
        sa.UniqueConstraint(
            "user_id", "kind", "value", name=op.f("uq_feed_subscriptions_user_id_kind_value")
        ),
    )
    op.create_index(
        op.f("ix_feed_subscriptions_user_id"), "feed_subscriptions", ["user_id"], unique=False
    )
    op.create_table(
        "feed_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("defaults_on", sa.Boolean(), nullable=False),
        sa.Column("read_before", UTC_DATETIME, nullable=True),
        sa.Column("feed_token", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("feed_states", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_feed_states")),
        sa.UniqueConstraint("feed_token", name=op.f("uq_feed_states_feed_token")),
    )
    op.create_table(
        "feed_reads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTC_DATETIME, nullable=False),
        _fk("feed_reads", "user_id", "users"),
        _fk("feed_reads", "insight_id", "insights"),
        sa.PrimaryKeyConstraint("user_id", "insight_id", name=op.f("pk_feed_reads")),
    )


def downgrade():
    op.drop_table("feed_reads")
    op.drop_table("feed_states")
    op.drop_index(op.f("ix_feed_subscriptions_user_id"), table_name="feed_subscriptions")
    op.drop_table("feed_subscriptions")
