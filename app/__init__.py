"""Listening Post: the application factory."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

from app.config import load_config
from app.db import MAX_ID, configure_sqlite, sqlite_engine_options
from app.errors import register_error_handlers
from app.extensions import csrf, db, limiter, login_manager, migrate, write_intent
from app.security import register_security

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Endpoints that take photos, allowed a larger body than the 2 MB every other request gets.
PHOTO_UPLOADS = frozenset({"capture.create_note", "capture.add_photos", "api.upload_photo"})
#: Reads that store what they make (the debrief PDF): on SQLite they take the write lock up front,
#: as writes do, instead of failing when another write commits between their read and write.
WRITING_READS = frozenset({"debriefs.pdf", "api.debrief_pdf"})


class JSONProvider(DefaultJSONProvider):
    """JSON that nests too deeply for Python's parser is bad input (400), not a crash (500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as err:  # get_json() answers ValueError with a 400
            raise ValueError("The JSON is nested too deeply.") from err


def create_app(config: dict[str, Any] | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or os.path.join(root, "instance"),
    )
    app.json = JSONProvider(app)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path) if config is None else config)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_commands(app)
    register_template_helpers(app)
    if app.config.get("LIBRARY_WARM_UP"):
        from app.insights.meaning import warm_up_on_first_request

        warm_up_on_first_request(app)
    return app


def register_extensions(app: Flask) -> None:
    from app.capture.photos import MAX_BYTES, MAX_PHOTOS

    @app.before_request
    def _room_for_photos() -> None:
        # Registered before CSRF protection, which reads the body under the request's limit.
        if request.endpoint in PHOTO_UPLOADS:
            request.max_content_length = MAX_PHOTOS * MAX_BYTES + 1024 * 1024

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_engine_options(options)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, write_intent=write_intent)

    @app.before_request
    def _declare_write_intent() -> None:
        write_intent.set(request.method not in SAFE_METHODS or request.endpoint in WRITING_READS)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ids past the database's range are a 404, not a 500."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    from app.accounts.views import bp as accounts_bp
    from app.actions.views import bp as actions_bp
    from app.api import bp as api_bp
    from app.briefings.views import bp as briefings_bp
    from app.capture.views import bp as capture_bp
    from app.debriefs.views import bp as debriefs_bp
    from app.digests.views import bp as digests_bp
    from app.feeds.views import bp as feeds_bp
    from app.insights.views import bp as insights_bp
    from app.programmes.views import bp as programmes_bp
    from app.pwa import bp as pwa_bp
    from app.signups.views import bp as signups_bp
    from app.webhooks.views import bp as webhooks_bp

    for bp in (
        accounts_bp,
        programmes_bp,
        signups_bp,
        briefings_bp,
        capture_bp,
        debriefs_bp,
        actions_bp,
        insights_bp,
        feeds_bp,
        digests_bp,
        pwa_bp,
        webhooks_bp,
        api_bp,
    ):
        app.register_blueprint(bp)


def register_commands(app: Flask) -> None:
    from app.accounts.cli import tokens_cli, users_cli
    from app.debriefs.cli import reports_cli
    from app.demo import demo_command
    from app.digests.cli import digests_cli
    from app.insights.cli import library_cli
    from app.webhooks.cli import webhooks_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(library_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(digests_cli)


def register_template_helpers(app: Flask) -> None:
    from app.timefmt import register_filters
    from app.web import page_flashes

    register_filters(app)
    app.jinja_env.globals["page_flashes"] = page_flashes
