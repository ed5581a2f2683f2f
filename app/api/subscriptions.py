"""Subscribe-message consent reported by the mini-program after ``requestSubscribeMessage``."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.subscription import ConsentListSchema, SubscriptionReportSchema
from app.services import subscriptions as service
from app.web.auth import current_user, login_required

blp = Blueprint("subscriptions", __name__, url_prefix="/me", description="订阅消息授权")


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
    @blp.problems(401, (403, "仅申请人"), *JSON_BODY)
    def post(self, body: dict):
        """Record which templates the user accepted and rejected; returns every consent."""
        user = current_user()
        service.record(user, body["accepted"], body["rejected"])
        return {"items": service.consents(user)}

    @login_required
    @blp.response(200, ConsentListSchema)
    @blp.operation("listSubscriptions", "订阅消息授权", "调用者各模板的授权情况与剩余次数。")
    @blp.problems(401)
    def get(self):
        """The caller's consents per template."""
        return {"items": service.consents(current_user())}
