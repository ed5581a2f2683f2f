"""Swagger UI's files served from the installed ``swagger-ui-bundle`` package (no CDN)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, send_from_directory

ASSETS_DIR = Path(swagger_ui_bundle.swagger_ui_path)

bp = Blueprint("docs_assets", __name__)


@bp.get("/api/docs/assets/<path:filename>")
def asset(filename: str):
    """Serve one Swagger UI asset."""
    return send_from_directory(ASSETS_DIR, filename, max_age=86400)
