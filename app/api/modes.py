"""Routes of the service modes on applications and enterprises: commitments (告知承诺) and
consents to assisted filing (帮办代办)."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.modes import (
    CommitmentCreateSchema,
    CommitmentSchema,
    FilingConsentCreateSchema,
    FilingConsentListSchema,
    FilingConsentSchema,
)
from app.services.modes import commitments, consents
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent

blp = Blueprint("modes", __name__, url_prefix="", description="告知承诺与帮办代办")


@blp.route("/applications/<int:application_id>/commitments")
class Commitments(MethodView):
    @idempotent
    @login_required
    @blp.arguments(CommitmentCreateSchema)
    @blp.response(201, CommitmentSchema)
    @blp.operation(
        "signCommitment",
        "签署告知承诺",
        "以签署承诺代替一项允许告知承诺的材料（commitment_allowed），该材料状态变为 committed。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        404,
        (409, "COMMITMENT_EXISTS、APPLICATION_NOT_EDITABLE"),
        *JSON_BODY,
        (422, "MATERIAL_UNKNOWN、COMMITMENT_NOT_ALLOWED"),
    )
    def post(self, body: dict, application_id: int):
        """Sign the catalogue's commitment in place of a material that allows it."""
        item = commitments.sign(
            current_user(), application_id, body["material"], body["signer_name"].strip()
        )
        return commitments.named_one(item)


@blp.route("/enterprises/<int:enterprise_id>/consents")
class Consents(MethodView):
    @login_required
    @blp.response(200, FilingConsentListSchema)
    @blp.operation(
        "listFilingConsents", "帮办代办授权", "企业给办事大厅帮办人员的授权（仅管理人）。"
    )
    @blp.problems(401, 404)
    def get(self, enterprise_id: int):
        """The enterprise's consents to assisted filing (manager only)."""
        return {"items": consents.list_for(current_user(), enterprise_id)}

    @idempotent
    @login_required
    @blp.arguments(FilingConsentCreateSchema)
    @blp.response(201, FilingConsentSchema)
    @blp.operation(
        "grantFilingConsent",
        "授权帮办代办",
        "授权所辖区域的帮办人员代为填写（prepare）或代为提交（submit）本企业的申请，"
        "至 expires_on 为止。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(401, 404, *JSON_BODY, (422, "CONSENT_EXPIRY_INVALID"))
    def post(self, body: dict, enterprise_id: int):
        """Let the office's agents prepare (or also submit) this enterprise's applications."""
        consent = consents.grant(current_user(), enterprise_id, body["scope"], body["expires_on"])
        return consent


@blp.route("/enterprises/<int:enterprise_id>/consents/<int:consent_id>")
class ConsentItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.operation("revokeFilingConsent", "撤销帮办代办授权", "立即撤销一项授权（仅管理人）。")
    @blp.problems(401, 404)
    def delete(self, enterprise_id: int, consent_id: int):
        """Revoke a consent at once (manager only)."""
        consents.revoke(current_user(), enterprise_id, consent_id)
