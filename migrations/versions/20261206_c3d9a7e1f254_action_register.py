"""Action register: an action's owner linked to a person, and progress notes on actions

Revision ID: c3d9a7e1f254
Revises: 76a034d02833
Create Date: 2026-12-06 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3d9a7e1f254"
down_revision = "76a034d02833"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_actions_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_actions_owner_id_users"), "users", ["owner_id"], ["id"],
            ondelete="SET NULL",
        )  # fmt: skip
    # Existing actions whose typed owner is exactly one person's email or name get that person.
    op.execute(
        """
        UPDATE actions SET owner_id = (
            SELECT users.id FROM users
            WHERE users.email = lower(actions.owner) OR users.name = actions.owner)
        WHERE (SELECT count(*) FROM users
               WHERE users.email = lower(actions.owner) OR users.name = actions.owner) = 1
        """
    )
    op.create_table(
        "action_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_progress_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_action_progress_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_progress")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_action_progress_action_id"), "action_progress", ["action_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_action_progress_action_id"), table_name="action_progress")
    op.drop_table("action_progress")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_actions_owner_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_actions_owner_id"))
        batch_op.drop_column("owner_id")
