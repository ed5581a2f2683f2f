"""Subscribe-message consent reported by the mini-program after ``requestSubscribeMessage``."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.docs import JSON_BODY, Blueprint
from app.services import subscriptions as service
from app.web.auth import current_user, login_required

blp = Blueprint("subscriptions", __name__, url_prefix="/me", description="订阅消息授权")

TemplateId = fields.String(validate=validate.Length(min=1, max=128))


class SubscriptionReportSchema(Schema):
    accepted = fields.List(
        TemplateId, load_default=list, metadata={"description": "用户同意的订阅消息模板ID"}
    )
    rejected = fields.List(
        TemplateId, load_default=list, metadata={"description": "用户拒绝的订阅消息模板ID"}
    )


class ConsentSchema(Schema):
    template_id = fields.String()
    status = fields.String(metadata={"description": "accepted 已同意 / rejected 已拒绝"})
    remaining = fields.Integer(metadata={"description": "尚可发送的次数（一次性订阅每次同意一条）"})


class ConsentListSchema(Schema):
    items = fields.List(fields.Nested(ConsentSchema))


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @login_required
    @blp.arguments(SubscriptionReportSchema)
    @blp.response(200, ConsentListSchema)
    @blp.operation(
        "reportSubscriptions",
        "上报订阅消息授权",
        "小程序 requestSubscribeMessage 之后上报用户同意与拒绝的模板，返回全部授权。",
    )
    @blp.problems(401, *JSON_BODY)
    def post(self, body: dict):
        """Record which templates the user accepted and rejected; returns every consent."""
        user = current_user()
        service.record(user, body["accepted"], body["rejected"])
        return {"items": [service.consent_view(row) for row in service.consents(user)]}

    @login_required
    @blp.response(200, ConsentListSchema)
    @blp.operation("listSubscriptions", "订阅消息授权", "调用者各模板的授权情况与剩余次数。")
    @blp.problems(401)
    def get(self):
        """The caller's consents per template."""
        return {"items": [service.consent_view(row) for row in service.consents(current_user())]}
