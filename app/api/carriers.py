"""The couriers a dispatcher may choose (public)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.schemas.licence import CarrierListSchema
from app.services.carriers import carrier_list

blp = Blueprint("carriers", __name__, url_prefix="/carriers", description="快递公司")


@blp.route("")
class Carriers(MethodView):
    @blp.response(200, CarrierListSchema)
    def get(self):
        """快递公司列表：dispatch 的 carrier 与快递回调路径使用其代码。"""
        return {"items": carrier_list()}
