"""Each person chooses a 24- or 12-hour clock, or follows their browser

Revision ID: 5c2e8b7a4d19
Revises: 3f6a1c8d2e57
Create Date: 2026-12-03 06:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5c2e8b7a4d19"
down_revision = "3f6a1c8d2e57"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("clock", sa.String(2), server_default="", nullable=False))


def downgrade():
    # Not a batch: rebuilding the users table would drop and re-create every table that
    # refers to it on SQLite; SQLite 3.35+ drops a column in place.
    op.drop_column("users", "clock")
