"""Contact details typed on debrief boards before they were removed on saving are removed now,
from the boards, the library's copies of their themes and insights, its withdrawal log and the
PDFs made of them

Revision ID: 76a034d02833
Revises: a4c7e19b2d60
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "76a034d02833"
down_revision = "a4c7e19b2d60"
branch_labels = None
depends_on = None

#: Each board table: how it finds its debrief, and its shared texts with their column lengths
#: (None: Text). A text longer than its column once redacted is cut to fit: no one is there to
#: be asked, and a cut text is better than a contact detail kept.
BOARD_TEXTS = {
    "debriefs": ("id", {"title": 200, "location": 300}),
    "themes": ("debrief_id", {"name": 200, "description": None}),
    "insights": ("debrief_id", {"statement": 500, "so_what": None}),
    "actions": ("debrief_id", {"what": 500, "owner": 200}),
}
#: The library's documents copy a theme's and an insight's texts (title, body).
LIBRARY_COPIES = {"themes": ("theme_id", "name", "description"),
                  "insights": ("insight_id", "statement", "so_what")}  # fmt: skip


def _redacted(text, length):
    # The redaction of notes and of every board write since this revision; pure functions.
    from app.capture.redaction import redact

    out = redact(text or "")
    return out if length is None else out[:length]


def upgrade():
    bind = op.get_bind()
    changed_debriefs = set()
    for table, (debrief_column, texts) in BOARD_TEXTS.items():
        columns = ", ".join(texts)
        rows = bind.execute(sa.text(f"SELECT id, {debrief_column}, {columns} FROM {table}"))  # noqa: S608
        updates = []
        for row in rows.mappings().all():
            new = {name: _redacted(row[name], length) for name, length in texts.items()}
            if any(new[name] != (row[name] or "") for name in texts):
                updates.append({"id": row["id"], **new})
                changed_debriefs.add(row[debrief_column])
        if not updates:
            continue
        sets = ", ".join(f"{name} = :{name}" for name in texts)
        bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), updates)  # noqa: S608
        if table in LIBRARY_COPIES:
            _update_library(bind, table, updates)
    _redact_withdrawal_log(bind)
    if changed_debriefs:
        ids = sa.bindparam("ids", expanding=True)
        # A new board version: clients holding the board (ETag) fetch it again.
        bind.execute(
            sa.text("UPDATE debriefs SET version = version + 1 WHERE id IN :ids").bindparams(ids),
            {"ids": sorted(changed_debriefs)},
        )
        bind.execute(
            sa.text("DELETE FROM reports WHERE debrief_id IN :ids").bindparams(ids),
            {"ids": sorted(changed_debriefs)},
        )


def _update_library(bind, table, updates):
    """What index_debrief would write for these themes or insights: their texts as documents,
    without the meaning vectors made from the old words (`flask library embed` makes new ones)."""
    item_column, title, body = LIBRARY_COPIES[table]
    rows = [{"id": u["id"], "title": u[title], "body": u[body] or ""} for u in updates]
    bind.execute(
        sa.text(f"UPDATE library_docs SET title = :title, body = :body WHERE {item_column} = :id"),  # noqa: S608
        rows,
    )
    ids = sa.bindparam("ids", expanding=True)
    bind.execute(
        sa.text(
            f"DELETE FROM library_vectors WHERE doc_id IN (SELECT id FROM library_docs WHERE {item_column} IN :ids)"  # noqa: S608
        ).bindparams(ids),
        {"ids": [r["id"] for r in rows]},
    )
    # Every process reloads the library.
    bind.execute(sa.text("UPDATE library_state SET generation = generation + 1"))


def _redact_withdrawal_log(bind):
    rows = bind.execute(sa.text("SELECT id, title FROM library_withdrawals")).all()
    updates = [
        {"id": i, "title": _redacted(title, 500)}
        for i, title in rows
        if _redacted(title, 500) != title
    ]
    if updates:
        bind.execute(
            sa.text("UPDATE library_withdrawals SET title = :title WHERE id = :id"), updates
        )


def downgrade():
    pass  # what was removed is not kept anywhere, so it cannot come back
