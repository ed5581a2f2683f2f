"""Zerovisit: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app import models  # noqa: F401  (registers the tables)
from app.api import register_blueprints, status_reads
from app.cli import register_cli
from app.config import ConfigError, load_config
from app.console import register_console
from app.domain import queue_index
from app.extensions import db, limiter, migrate
from app.integrations.seal_pki import SealConfigError, SealPaths, load_seal_signer
from app.integrations.storage import storage_for
from app.models.sealed import install_keyring
from app.web import observability, session_end
from app.web.problems import api as openapi
from app.web.problems import register_error_handlers
from app.web.request_guards import register_request_guards
from app.web.uploads import SpoolingRequest

STALE_TEMP_SECONDS = 3600  # far longer than any upload or licence render takes


def _sweep_stale_uploads(app: Flask) -> None:
    """Remove temp files a worker killed mid-write left behind (each start, every worker)."""
    for area in ("documents", "licences", "notices"):
        removed = storage_for(area, app.config).sweep_temp(STALE_TEMP_SECONDS)
        if removed:
            logging.getLogger(__name__).warning("removed %d stale temp files in %s", removed, area)


class _UnescapedJSON(DefaultJSONProvider):
    """JSON bodies carry Chinese text as is, not as ``\\u`` escapes."""

    ensure_ascii = False


def check_seal(config: dict) -> None:
    """Refuse to start when the electronic seal's SM2 files are not a usable signer."""
    paths = SealPaths(
        signing_key=Path(config["SM2_SIGNING_KEY_PATH"]),
        signing_cert=Path(config["SM2_SIGNING_CERT_PATH"]),
        seal=Path(config["SM2_SEAL_PATH"]),
        ca=Path(config["SM2_CA_PATH"]),
    )
    try:
        load_seal_signer(paths)
    except SealConfigError as error:
        raise ConfigError(f"电子印章（SM2）配置有误，无法启动：{error}") from error


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, error handlers, blueprints, CLI."""
    app = Flask(__name__, instance_relative_config=False)
    app.request_class = SpoolingRequest
    app.config.update(load_config(config))
    if app.config["APP_ENV"] == "production":
        check_seal(app.config)
    app.json = _UnescapedJSON(app)
    logging.basicConfig(level=logging.INFO)

    install_keyring(app)
    db.init_app(app)
    session_end.init_app(app)
    queue_index.register()
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    openapi.init_app(app)
    limiter.init_app(app)
    register_error_handlers(app, rollback=db.session.rollback)
    observability.init_app(app)
    register_request_guards(app)

    register_blueprints(app, openapi)
    status_reads.init_app(app)
    register_console(app)
    register_cli(app)
    _sweep_stale_uploads(app)
    return app
