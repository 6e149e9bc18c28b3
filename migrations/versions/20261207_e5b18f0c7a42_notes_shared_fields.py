"""Each note keeps the copy of its fields that others see (contact details redacted) and the
kinds of contact details found, worked out once when saved instead of on every view

Revision ID: e5b18f0c7a42
Revises: e5b1d0c7a862
Create Date: 2026-12-07 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b18f0c7a42"
down_revision = "e5b1d0c7a862"
branch_labels = None
depends_on = None

#: Notes read and written at a time: a large database is filled without holding every note.
BATCH = 500

NOTES = sa.table(
    "notes",
    sa.column("id", sa.Integer),
    sa.column("type", sa.String),
    sa.column("fields", sa.JSON),
    sa.column("shared_fields", sa.JSON),
    sa.column("contacts_found", sa.JSON),
)


def upgrade():
    # Left nullable: making them NOT NULL would rebuild the notes table on SQLite, where
    # dropping the old one cascades to the photos and placements that point at it.
    op.add_column("notes", sa.Column("shared_fields", sa.JSON(), nullable=True))
    op.add_column("notes", sa.Column("contacts_found", sa.JSON(), nullable=True))
    # The redaction every save does from this revision on (pure functions of the fields).
    from app.capture.models import NoteType
    from app.capture.schema import shared_copy

    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(NOTES.c.id, NOTES.c.type, NOTES.c.fields)
            .where(NOTES.c.id > last)
            .order_by(NOTES.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        updates = []
        for note_id, note_type, fields in rows:
            shared, kinds = shared_copy(NoteType(note_type), fields or {})
            updates.append({"note_id": note_id, "shared": shared, "kinds": kinds})
        bind.execute(
            NOTES.update()
            .where(NOTES.c.id == sa.bindparam("note_id"))
            .values(shared_fields=sa.bindparam("shared"), contacts_found=sa.bindparam("kinds")),
            updates,
        )
        last = rows[-1].id


def downgrade():
    # In place (SQLite 3.35 and later can): a batch would rebuild the notes table, and
    # dropping the old one cascades to the photos and placements that point at it.
    op.drop_column("notes", "contacts_found")
    op.drop_column("notes", "shared_fields")
