"""Enterprises an applicant manages."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, login_required
from app.errors import NotFound
from app.schemas.enterprise import EnterpriseCreateSchema, EnterpriseListSchema, EnterpriseSchema
from app.services import access
from app.services import enterprises as service
from app.services.timekeeping import local_iso

blp = Blueprint("enterprises", __name__, url_prefix="/enterprises", description="企业")


def enterprise_view(enterprise) -> dict:
    return {
        "id": enterprise.id,
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "legal_representative": enterprise.legal_representative,
        "address": enterprise.address,
        "region_code": enterprise.region_code,
        "contact_phone": enterprise.contact_phone,
        "created_at": local_iso(enterprise.created_at),
    }


@blp.route("")
class Enterprises(MethodView):
    @login_required
    @blp.response(200, EnterpriseListSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """The enterprises the caller manages."""
        return {"items": [enterprise_view(e) for e in service.list_enterprises(current_user())]}

    @login_required
    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, body: dict):
        """Register an enterprise (credit code checked); the caller becomes its manager."""
        user = current_user()
        if user.is_staff:
            raise NotFound("资源不存在")
        return enterprise_view(service.register_enterprise(user, body))


@blp.route("/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @login_required
    @blp.response(200, EnterpriseSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self, enterprise_id: int):
        """One enterprise the caller manages (or, for staff, one in their region)."""
        return enterprise_view(access.get_enterprise(current_user(), enterprise_id))
