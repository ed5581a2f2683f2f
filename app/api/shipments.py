"""A case's shipment and its mailing label."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, login_required, staff_required
from app.schemas.licence import ShipmentSchema
from app.services import delivery
from app.services.licence_documents import label_pdf

blp = Blueprint("shipments", __name__, url_prefix="/applications", description="邮寄送达")
SECURITY = [{"bearerAuth": []}]


@blp.route("/<int:application_id>/shipment")
class ShipmentItem(MethodView):
    @login_required
    @blp.response(200, ShipmentSchema)
    @blp.doc(security=SECURITY)
    def get(self, application_id: int):
        """Where the mailed licence is."""
        _, shipment = delivery.get_shipment(current_user(), application_id)
        return delivery.shipment_view(shipment)


@blp.route("/<int:application_id>/shipment/label.pdf")
class ShipmentLabel(MethodView):
    @staff_required("dispatcher")
    @blp.response(200, content_type="application/pdf")
    @blp.doc(security=SECURITY)
    def get(self, application_id: int):
        """The mailing label (recipient's phone masked but for the last four digits)."""
        application, shipment = delivery.get_shipment(current_user(), application_id)
        response = Response(label_pdf(application, shipment), mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'inline; filename="label-{application.number}.pdf"'
        )
        return response
