"""Briefings: packs, acknowledgements, sessions, tasks; check-in codes and arrivals

Revision ID: d2b0d0b79b34
Revises: 99fa827f27d8
Create Date: 2026-11-22 23:01:51.516780

"""

import secrets

import sqlalchemy as sa
from alembic import op

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# revision identifiers, used by Alembic.
revision = "d2b0d0b79b34"
down_revision = "99fa827f27d8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "briefing_acknowledgements",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_briefing_acknowledgements_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_briefing_acknowledgements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "programme_id", "user_id", name=op.f("pk_briefing_acknowledgements")
        ),
    )
    op.create_table(
        "briefing_packs",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_briefing_packs_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_briefing_packs")),
    )
    op.create_table(
        "briefing_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("online_url", sa.String(length=500), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_briefing_sessions_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_briefing_sessions_times_in_order")),
        sa.CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity",
            name=op.f("ck_briefing_sessions_seats_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_briefing_sessions_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_sessions")),
    )
    with op.batch_alter_table("briefing_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_briefing_sessions_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "briefing_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["briefing_id"],
            ["briefing_sessions.id"],
            name=op.f("fk_briefing_signups_briefing_id_briefing_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_briefing_signups_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_signups")),
        sa.UniqueConstraint(
            "briefing_id", "user_id", name=op.f("uq_briefing_signups_briefing_id_user_id")
        ),
    )
    with op.batch_alter_table("briefing_signups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_briefing_signups_briefing_id"), ["briefing_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_briefing_signups_user_id"), ["user_id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("prompts", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(scope = 'slot' AND activity_id IS NOT NULL) OR (scope = 'kind' AND kind IS NOT NULL) OR scope = 'people'",
            name=op.f("ck_tasks_scope_has_target"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_tasks_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_tasks_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "task_assignees",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_task_assignees_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_task_assignees_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("task_id", "user_id", name=op.f("pk_task_assignees")),
    )
    # Existing slots get a check-in code each before the column becomes required.
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_code", sa.String(length=12), nullable=True))
    conn = op.get_bind()
    for (activity_id,) in conn.execute(sa.text("SELECT id FROM activities")).fetchall():
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        conn.execute(
            sa.text("UPDATE activities SET checkin_code = :c WHERE id = :i"),
            {"c": code, "i": activity_id},
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.alter_column("checkin_code", existing_type=sa.String(length=12), nullable=False)

    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("no_show", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.alter_column("no_show", existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table("signups", schema=None) as batch_op:
        batch_op.drop_column("no_show")
        batch_op.drop_column("arrived_at")

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_column("checkin_code")

    op.drop_table("task_assignees")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_programme_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_activity_id"))

    op.drop_table("tasks")
    with op.batch_alter_table("briefing_signups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_signups_user_id"))
        batch_op.drop_index(batch_op.f("ix_briefing_signups_briefing_id"))

    op.drop_table("briefing_signups")
    with op.batch_alter_table("briefing_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_sessions_programme_id"))

    op.drop_table("briefing_sessions")
    op.drop_table("briefing_packs")
    op.drop_table("briefing_acknowledgements")
