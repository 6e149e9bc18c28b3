"""Whatever deletes library documents moves the library's generation (a trigger)

Revision ID: f1c2a4d6b8e0
Revises: e5a1b7c3d902
Create Date: 2026-12-08 09:00:00.000000

A person or a programme deleted takes their documents out of the library by a cascade, which
the application never sees: the trigger moves the generation there, so that vectors and search
results kept by it are made afresh.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "f1c2a4d6b8e0"
down_revision = "e5a1b7c3d902"
branch_labels = None
depends_on = None

BUMP = "UPDATE library_state SET generation = generation + 1 WHERE id = 1;"
SQLITE = [f"CREATE TRIGGER library_docs_gone AFTER DELETE ON library_docs BEGIN {BUMP} END"]
POSTGRES = [
    "CREATE FUNCTION library_docs_gone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{BUMP} RETURN NULL; END $$",
    "CREATE TRIGGER library_docs_gone AFTER DELETE ON library_docs "
    "FOR EACH STATEMENT EXECUTE FUNCTION library_docs_gone()",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for statement in SQLITE if _sqlite() else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER IF EXISTS library_docs_gone")
    else:
        op.execute("DROP TRIGGER IF EXISTS library_docs_gone ON library_docs")
        op.execute("DROP FUNCTION IF EXISTS library_docs_gone()")
