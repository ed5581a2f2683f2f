"""The service modes' additions to the application resource, in one place."""

from __future__ import annotations

from app.models import Application, User
from app.services import instant


def decorate_view(user: User, application: Application, view: dict) -> dict:
    """Add the modes' fields to ``application_view``'s result."""
    view["instant_unmet"] = instant.unmet_view(application)
    return view
