"""The courier's status webhook, authenticated by an HMAC of the raw body."""

from __future__ import annotations

import json

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError

from app.errors import AppError, ValidationFailed, flatten_messages
from app.schemas.licence import CourierReportSchema
from app.services import delivery

blp = Blueprint("webhooks", __name__, url_prefix="/webhooks", description="快递回调")


@blp.route("/courier/<string:carrier>")
class CourierWebhook(MethodView):
    @blp.response(200)
    def post(self, carrier: str):
        """Apply a courier status report (``X-Signature: sha256=<hex HMAC>``)."""
        raw = request.get_data(cache=False)
        if not delivery.signature_valid(
            current_app.config["COURIER_WEBHOOK_SECRET"], raw, request.headers.get("X-Signature")
        ):
            raise AppError("签名无效", status=401, code="SIGNATURE_INVALID", title="签名校验失败")
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            raise AppError(
                "请求体不是合法的JSON",
                status=400,
                code="MALFORMED_JSON",
                title="请求体不是合法的JSON",
            ) from exc
        try:
            report = CourierReportSchema().load(payload)
        except ValidationError as exc:
            errors = flatten_messages(exc.messages)
            raise ValidationFailed(next(iter(errors.values()))[0], errors=errors) from exc
        result = delivery.record_courier_event(
            carrier, report["tracking_no"], report["status"], report["at"]
        )
        return {"result": result}
