"""The public permit catalogue (事项清单)."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.errors import NotFound
from app.schemas.permit_type import PermitTypeListSchema, PermitTypeSchema
from permits.catalogue import get_catalogue, get_permit_type

blp = Blueprint("permit_types", __name__, url_prefix="/permit-types", description="许可事项清单")


@blp.route("")
class PermitTypes(MethodView):
    @blp.response(200, PermitTypeListSchema)
    @blp.operation("listPermitTypes", "许可事项清单", "本机关办理的全部许可事项。", auth=False)
    def get(self):
        """Every permit type the office handles."""
        return {"items": [p.summary() for p in get_catalogue().values()]}


@blp.route("/<string:code>")
class PermitTypeItem(MethodView):
    @blp.response(200, PermitTypeSchema)
    @blp.operation(
        "getPermitType",
        "许可事项详情",
        "一个事项的材料清单、各申请类型的表单 JSON Schema（form_schema）和办事指南。",
        auth=False,
    )
    @blp.problems((404, "PERMIT_TYPE_NOT_FOUND"))
    def get(self, code: str):
        """One permit type with its materials, form schemas and guide."""
        permit_type = get_permit_type(code)
        if permit_type is None:
            raise NotFound("事项清单中没有该许可事项", code="PERMIT_TYPE_NOT_FOUND")
        return permit_type.detail()
