"""The staff console (云窗口): server-rendered pages under ``/console/`` for the office staff.

Every page calls the same services as the API (``app/services``), so the console never
restates a rule; this package only parses forms, calls one service and renders a template.
"""

from __future__ import annotations

from flask import Flask

from app.console import (  # noqa: F401  (the modules attach their routes to ``bp``)
    views_admin,
    views_auth,
    views_cases,
    views_display,
    views_licences,
    views_office,
    views_oversight,
    views_requests,
    views_security,
)
from app.console.blueprint import bp
from app.console.session import init_session


def register_console(app: Flask) -> None:
    """Mount the console and configure its session cookie."""
    init_session(app, bp)
    app.register_blueprint(bp)
