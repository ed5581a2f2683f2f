"""Zerovisit: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from app import observability
from app.config import load_config
from app.errors import register_error_handlers
from app.extensions import api as openapi
from app.extensions import db, limiter, migrate
from app.request_guards import register_request_guards


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, error handlers, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(config))
    app.json.ensure_ascii = False
    logging.basicConfig(level=logging.INFO)

    from app import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    openapi.init_app(app)
    limiter.init_app(app)
    register_error_handlers(app)
    observability.init_app(app)
    register_request_guards(app)

    from app.api import register_blueprints
    from app.cli import register_cli

    register_blueprints(app, openapi)
    register_cli(app)
    return app
