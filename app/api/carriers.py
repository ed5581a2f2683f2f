"""The couriers a dispatcher may choose (public)."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.domain.carriers import carrier_list
from app.schemas.licence import CarrierListSchema

blp = Blueprint("carriers", __name__, url_prefix="/carriers", description="快递公司")


@blp.route("")
class Carriers(MethodView):
    @blp.response(200, CarrierListSchema)
    @blp.operation(
        "listCarriers",
        "快递公司列表",
        "可选的快递公司：dispatch 动作的 carrier 与快递回调路径 /webhooks/courier/{carrier} "
        "使用其代码。",
        auth=False,
    )
    def get(self):
        """The couriers, by code: ``dispatch`` and the webhook path use the code."""
        return {"items": carrier_list()}
