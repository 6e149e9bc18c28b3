"""The insight library: documents, facets, vectors, full-text index, stars, links, withdrawals

Revision ID: 7d3e2a91c4b5
Revises: 04839a78ef9f
Create Date: 2026-12-01 21:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d3e2a91c4b5"
down_revision = "04839a78ef9f"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "library_docs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=True),
        sa.Column("theme_id", sa.Integer(), nullable=True),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=False),
        _fk("library_docs", "debrief_id", "debriefs", "CASCADE"),
        _fk("library_docs", "programme_id", "programmes", "CASCADE"),
        _fk("library_docs", "insight_id", "insights", "CASCADE"),
        _fk("library_docs", "theme_id", "themes", "CASCADE"),
        _fk("library_docs", "note_id", "notes", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_docs")),
        sa.UniqueConstraint("insight_id", name=op.f("uq_library_docs_insight_id")),
        sa.UniqueConstraint("theme_id", name=op.f("uq_library_docs_theme_id")),
        sa.UniqueConstraint("note_id", name=op.f("uq_library_docs_note_id")),
    )
    with op.batch_alter_table("library_docs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_docs_debrief_id"), ["debrief_id"])
        batch_op.create_index(batch_op.f("ix_library_docs_happened_on"), ["happened_on"])
        batch_op.create_index(batch_op.f("ix_library_docs_published_at"), ["published_at"])
    op.create_table(
        "library_facets",
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        _fk("library_facets", "doc_id", "library_docs", "CASCADE"),
        sa.PrimaryKeyConstraint("doc_id", "facet", "value", name=op.f("pk_library_facets")),
    )
    op.create_index("ix_library_facets_value", "library_facets", ["facet", "value", "doc_id"])
    op.create_table(
        "library_vectors",
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        _fk("library_vectors", "doc_id", "library_docs", "CASCADE"),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_library_vectors")),
    )
    op.create_table(
        "library_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_state")),
    )
    op.execute("INSERT INTO library_state (id, generation) VALUES (1, 0)")
    op.create_table(
        "library_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debrief_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        _fk("library_withdrawals", "debrief_id", "debriefs", "CASCADE"),
        _fk("library_withdrawals", "by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_withdrawals")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_library_withdrawals_kind_item_id")),
    )
    with op.batch_alter_table("library_withdrawals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_library_withdrawals_debrief_id"), ["debrief_id"])
    op.create_table(
        "library_stars",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("library_stars", "user_id", "users", "CASCADE"),
        _fk("library_stars", "insight_id", "insights", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "insight_id", name=op.f("pk_library_stars")),
    )
    op.create_table(
        "insight_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("insight_links", "from_id", "insights", "CASCADE"),
        _fk("insight_links", "to_id", "insights", "CASCADE"),
        _fk("insight_links", "by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_links")),
        sa.UniqueConstraint("from_id", "to_id", name=op.f("uq_insight_links_from_id_to_id")),
    )
    with op.batch_alter_table("insight_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_insight_links_from_id"), ["from_id"])
        batch_op.create_index(batch_op.f("ix_insight_links_to_id"), ["to_id"])

    op.create_index("ix_insight_evidence_note_id", "insight_evidence", ["note_id"])

    bind = op.get_bind()
    for statement in SQLITE_FTS if bind.dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)
    # Debriefs published before the library existed enter it in the next revision, which
    # changes how the index is built.


# The full-text index as this revision made it (the next one rebuilds it with facet keys).
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE library_fts USING fts5(title, body, content='library_docs', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER library_docs_ai AFTER INSERT ON library_docs BEGIN "
    "INSERT INTO library_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER library_docs_ad AFTER DELETE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER library_docs_au AFTER UPDATE ON library_docs BEGIN "
    "INSERT INTO library_fts(library_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO library_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
POSTGRES_FTS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS lp_english",
    "CREATE TEXT SEARCH CONFIGURATION lp_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION lp_english ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, english_stem",
    "ALTER TABLE library_docs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('lp_english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('lp_english'::regconfig, body), 'B')) STORED",
    "CREATE INDEX ix_library_docs_search_vector ON library_docs USING gin (search_vector)",
]


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS library_fts")
    op.drop_index("ix_insight_evidence_note_id", table_name="insight_evidence")
    op.drop_table("insight_links")
    op.drop_table("library_stars")
    op.drop_table("library_withdrawals")
    op.drop_table("library_state")
    op.drop_table("library_vectors")
    op.drop_index("ix_library_facets_value", table_name="library_facets")
    op.drop_table("library_facets")
    op.drop_table("library_docs")
    if bind.dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS lp_english")
