"""A case's shipment and its mailing label."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api.docs import Blueprint
from app.licences.documents import label_pdf
from app.schemas.licence import ShipmentSchema
from app.services import delivery
from app.web.auth import current_user, login_required, staff_required

blp = Blueprint("shipments", __name__, url_prefix="/applications", description="邮寄送达")


@blp.route("/<int:application_id>/shipment")
class ShipmentItem(MethodView):
    @login_required
    @blp.response(200, ShipmentSchema)
    @blp.operation("getShipment", "寄递信息", "许可证寄出后的快递公司、单号和物流状态。")
    @blp.problems(401, (404, "申请不存在或尚未寄出（SHIPMENT_NOT_FOUND）"))
    def get(self, application_id: int):
        """Where the mailed licence is."""
        _, shipment = delivery.get_shipment(current_user(), application_id)
        return shipment


@blp.route("/<int:application_id>/shipment/label.pdf")
class ShipmentLabel(MethodView):
    @staff_required("dispatcher")
    @blp.operation(
        "getShipmentLabel", "快递面单（PDF）", "送达人员打印的面单；收件电话只显示后四位。"
    )
    @blp.binary("快递面单", "application/pdf")
    @blp.problems(401, (403, "仅送达人员"), (404, "申请不存在或尚未寄出"))
    def get(self, application_id: int):
        """The mailing label (recipient's phone masked but for the last four digits)."""
        application, shipment = delivery.get_shipment(current_user(), application_id)
        response = Response(label_pdf(application, shipment), mimetype="application/pdf")
        response.headers["Content-Disposition"] = (
            f'inline; filename="label-{application.number}.pdf"'
        )
        return response
