"""Administration of the integration API (admin): machine clients, and the webhook endpoints.

Creating a client shows its secret on the answering page only (as ``flask clients create``
prints it once); revoking stops its tokens at once.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import staff_page
from app.errors import AppError
from app.extensions import db
from app.schemas.event_types import SCOPES
from app.services import api_clients, webhook_endpoints


def _render(error: str | None = None, created: dict | None = None, status: int = 200):
    return (
        render_template(
            "console/integration.html",
            clients=api_clients.list_clients(),
            endpoints=webhook_endpoints.list_endpoints(),
            scopes=SCOPES,
            error=error,
            created=created,
            done=request.args.get("done"),
            form=request.form,
        ),
        status,
    )


@bp.route("/admin/integration")
@staff_page("admin")
def integration():
    """The clients and webhook endpoints of other government systems."""
    return _render()


@bp.route("/admin/integration/clients", methods=["POST"])
@staff_page("admin")
def integration_client_create():
    """Create a client; the page shows its secret this once."""
    try:
        client, secret = api_clients.create_client(
            request.form.get("name", ""), request.form.getlist("scopes")
        )
    except AppError as exc:
        db.session.rollback()
        return _render(error=exc.detail, status=422)
    return _render(created={"client_id": client.client_id, "secret": secret, "name": client.name})


@bp.route("/admin/integration/clients/<client_id>/revoke", methods=["POST"])
@staff_page("admin")
def integration_client_revoke(client_id: str):
    """Revoke a client."""
    try:
        client = api_clients.revoke_client(client_id)
    except AppError as exc:
        return _render(error=exc.detail, status=404)
    return redirect(url_for("console.integration", done=f"已吊销 {client.name}（{client_id}）"))
