"""Organisers choose whether being briefed means attending a session or only the pack

Revision ID: 3f6a1c8d2e57
Revises: b81f6c2d9e40
Create Date: 2026-12-02 19:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3f6a1c8d2e57"
down_revision = "b81f6c2d9e40"
branch_labels = None
depends_on = None


def upgrade():
    # True keeps what existing programmes meant: a session counts when they hold one.
    with op.batch_alter_table("briefing_packs") as batch:
        batch.add_column(
            sa.Column("session_required", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("briefing_packs") as batch:
        batch.drop_column("session_required")
