"""API blueprints, one per resource, all under ``/api/v1``."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from app.api import (
    applications,
    appointments,
    auth,
    carriers,
    docs_assets,
    documents,
    enterprise_requests,
    enterprises,
    guide,
    health,
    licences,
    modes,
    notices,
    notifications,
    permit_types,
    phone,
    pii,
    post_checks,
    rating_cases,
    ratings,
    review,
    shipments,
    stats,
    subscriptions,
    uploads,
    verify,
    webhooks,
)
from app.api.docs import document_common_problems, register_components
from app.schemas.actions import register_action_components

BLUEPRINTS = [
    health.blp,
    auth.blp,
    phone.blp,
    subscriptions.blp,
    enterprises.blp,
    permit_types.blp,
    applications.blp,
    documents.blp,
    uploads.blp,
    review.blp,
    licences.blp,
    post_checks.blp,
    modes.blp,
    shipments.blp,
    carriers.blp,
    verify.blp,
    webhooks.blp,
    notifications.blp,
    notices.blp,
    ratings.blp,
    rating_cases.blp,
    stats.blp,
    enterprise_requests.blp,
    appointments.blp,
    guide.blp,
    pii.blp,
]


def register_blueprints(app: Flask, api: Api) -> None:
    register_components(api.spec)
    register_action_components(api.spec)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
    document_common_problems(api.spec)
    app.register_blueprint(docs_assets.bp)
