"""Closing the loop: the insight an action answers, programmes that follow on from earlier
ones, actions carried into a briefing, and loop news for the people whose notes were evidence

Existing actions stay unlinked to insights: the board never said which insight they answer.

Revision ID: e5a1b7c3d902
Revises: e5b18f0c7a42
Create Date: 2026-12-07 09:00:00.000000

"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

# revision identifiers, used by Alembic.
revision = "e5a1b7c3d902"
down_revision = "e5b18f0c7a42"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


@contextmanager
def _sqlite_foreign_keys_off() -> Iterator[None]:
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    dropping it would delete, through ON DELETE CASCADE, every row that refers to it (slots,
    progress notes...). The pragma only changes outside a transaction."""
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=OFF")
    op.execute("BEGIN")
    yield
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=ON")
    op.execute("BEGIN")


def _link(table: str, column: str, target: str, *, add: bool) -> None:
    """Add (or drop) a nullable column referring to `target`, ON DELETE SET NULL, indexed."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    with (
        _sqlite_foreign_keys_off() if sqlite else nullcontext(),
        op.batch_alter_table(table, schema=None) as batch_op,
    ):
        if add:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_{column}_{target}"), target, [column], ["id"],
                ondelete="SET NULL",
            )  # fmt: skip
        else:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_{column}_{target}"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
            batch_op.drop_column(column)


def upgrade():
    _link("actions", "insight_id", "insights", add=True)
    _link("programmes", "follows_id", "programmes", add=True)
    op.create_table(
        "carried_actions",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("carried_by_id", sa.Integer(), nullable=True),
        sa.Column("carried_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"],
            name=op.f("fk_carried_actions_programme_id_programmes"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_carried_actions_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["carried_by_id"], ["users.id"], name=op.f("fk_carried_actions_carried_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("programme_id", "action_id", name=op.f("pk_carried_actions")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_carried_actions_action_id"), "carried_actions", ["action_id"], unique=False
    )
    op.create_table(
        "loop_news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("read_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_loop_news_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_loop_news_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_news")),
        sa.UniqueConstraint("user_id", "action_id", name=op.f("uq_loop_news_user_id_action_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_loop_news_action_id"), "loop_news", ["action_id"], unique=False)
    _index_debriefs_not_in_library(op.get_bind())


def _index_debriefs_not_in_library(bind):
    """Debriefs published before the library existed enter it. This runs the application's
    indexing code, whose models read the columns added above, so it moves to any later
    migration that changes a table the library reads (moved here from b81f6c2d9e40)."""
    from app.insights.index import reindex_all

    reindex_all(Session(bind=bind), only_missing=True)


def downgrade():
    op.drop_index(op.f("ix_loop_news_action_id"), table_name="loop_news")
    op.drop_table("loop_news")
    op.drop_index(op.f("ix_carried_actions_action_id"), table_name="carried_actions")
    op.drop_table("carried_actions")
    _link("programmes", "follows_id", "programmes", add=False)
    _link("actions", "insight_id", "insights", add=False)
