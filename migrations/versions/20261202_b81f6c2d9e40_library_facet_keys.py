"""The library's facets as keys in its full-text index: words and facets found in one index

Revision ID: b81f6c2d9e40
Revises: 7d3e2a91c4b5
Create Date: 2026-12-02 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b81f6c2d9e40"
down_revision = "7d3e2a91c4b5"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE library_fts USING fts5(title, body, facet_keys, "
    "content='library_docs', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER library_docs_ai AFTER INSERT ON library_docs BEGIN "
    "INSERT INTO library_fts(rowid, title, body, facet_keys) "
    "VALUES (new.id, new.title, new.body, new.facet_keys); END",
    "CREATE TRIGGER library_docs_ad AFTER DELETE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body, facet_keys) "
    "VALUES ('delete', old.id, old.title, old.body, old.facet_keys); END",
    "CREATE TRIGGER library_docs_au AFTER UPDATE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body, facet_keys) "
    "VALUES ('delete', old.id, old.title, old.body, old.facet_keys); "
    "INSERT INTO library_fts(rowid, title, body, facet_keys) "
    "VALUES (new.id, new.title, new.body, new.facet_keys); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS library_docs_ai",
    "DROP TRIGGER IF EXISTS library_docs_ad",
    "DROP TRIGGER IF EXISTS library_docs_au",
    "DROP TABLE IF EXISTS library_fts",
]
POSTGRES_FTS = [
    "ALTER TABLE library_docs DROP COLUMN search_vector",
    "ALTER TABLE library_docs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('lp_english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('lp_english'::regconfig, body), 'B') || "
    "to_tsvector('simple'::regconfig, facet_keys)) STORED",
    "CREATE INDEX ix_library_docs_search_vector ON library_docs USING gin (search_vector)",
]


SQLITE_FTS_BEFORE = [
    statement.replace(", facet_keys", "")
    .replace(", new.facet_keys", "")
    .replace(", old.facet_keys", "")
    for statement in SQLITE_FTS
]


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("library_docs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facet_keys", sa.Text(), nullable=False, server_default=""))
    _facets_to_keys(bind)
    op.drop_index("ix_library_facets_value", table_name="library_facets")
    op.drop_table("library_facets")
    if sqlite:
        for statement in SQLITE_DROP + SQLITE_FTS:
            op.execute(statement)
        op.execute("INSERT INTO library_fts(library_fts) VALUES ('rebuild')")
    else:
        for statement in POSTGRES_FTS:
            op.execute(statement)
    # Debriefs published before the library existed enter it in the latest migration
    # (e5a1b7c3d902): that runs the application's indexing code, which reads the tables as the
    # latest revision has them.


def _key(facet, value):
    # app.insights.models.facet_key as of this revision.
    return "k" + str(int.from_bytes(f"{facet}:{value}".encode()))


def _facets_to_keys(bind):
    """Each document's facet rows become its facet keys (its vector stays: no re-embedding)."""
    keys = {}
    for doc_id, facet, value in bind.execute(
        sa.text("SELECT doc_id, facet, value FROM library_facets ORDER BY doc_id")
    ):
        keys.setdefault(doc_id, []).append(_key(facet, value))
    update = sa.text("UPDATE library_docs SET facet_keys = :keys WHERE id = :id")
    rows = [{"id": doc_id, "keys": " ".join(sorted(set(k)))} for doc_id, k in keys.items()]
    for start in range(0, len(rows), 5000):
        bind.execute(update, rows[start : start + 5000])


def downgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for statement in SQLITE_DROP:
            op.execute(statement)
    else:
        op.execute("ALTER TABLE library_docs DROP COLUMN search_vector")
    op.execute("DELETE FROM library_docs")  # `flask library reindex` builds it again
    with op.batch_alter_table("library_docs", schema=None) as batch_op:
        batch_op.drop_column("facet_keys")
    op.create_table(
        "library_facets",
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["library_docs.id"],
            name=op.f("fk_library_facets_doc_id_library_docs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("doc_id", "facet", "value", name=op.f("pk_library_facets")),
    )
    op.create_index("ix_library_facets_value", "library_facets", ["facet", "value", "doc_id"])
    if sqlite:
        for statement in SQLITE_FTS_BEFORE:
            op.execute(statement)
    else:
        op.execute(
            "ALTER TABLE library_docs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('lp_english'::regconfig, title), 'A') || "
            "setweight(to_tsvector('lp_english'::regconfig, body), 'B')) STORED"
        )
        op.execute(
            "CREATE INDEX ix_library_docs_search_vector ON library_docs USING gin (search_vector)"
        )
