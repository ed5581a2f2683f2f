"""The public permit catalogue (事项清单)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.errors import NotFound
from permits.catalogue import get_catalogue, get_permit_type

blp = Blueprint("permit_types", __name__, url_prefix="/permit-types", description="许可事项清单")


@blp.route("")
class PermitTypes(MethodView):
    @blp.response(200)
    def get(self):
        """Every permit type the office handles."""
        return {"items": [p.summary() for p in get_catalogue().values()]}


@blp.route("/<string:code>")
class PermitTypeItem(MethodView):
    @blp.response(200)
    def get(self, code: str):
        """One permit type with its materials, form schemas and guide."""
        permit_type = get_permit_type(code)
        if permit_type is None:
            raise NotFound("事项清单中没有该许可事项", code="PERMIT_TYPE_NOT_FOUND")
        return permit_type.detail()
