"""The courier's status webhook, authenticated by an HMAC of the raw body."""

from __future__ import annotations

import json

from flask import current_app, request
from flask.views import MethodView
from marshmallow import ValidationError

from app.api.docs import Blueprint
from app.errors import AppError, fields_error
from app.schemas.licence import CourierReportSchema, CourierResultSchema
from app.services import delivery
from app.web.problems import flatten_messages

blp = Blueprint("webhooks", __name__, url_prefix="/webhooks", description="快递回调")

# The body is read raw (the signature covers its bytes), then loaded with the schema.
COURIER_BODY = {
    "required": True,
    "content": {"application/json": {"schema": CourierReportSchema}},
}


@blp.route("/courier/<string:carrier>")
class CourierWebhook(MethodView):
    @blp.response(200, CourierResultSchema)
    @blp.operation(
        "courierWebhook",
        "快递状态回调",
        "快递公司推送物流状态（in_transit、delivered、failed）；以原始请求体的 HMAC-SHA256 "
        "签名（X-Signature）认证。delivered 即确认送达；重复推送返回 duplicate 且不重复处理。",
        auth=False,
    )
    @blp.doc(requestBody=COURIER_BODY)
    @blp.headers("XSignature")
    @blp.problems(
        (400, "MALFORMED_JSON"),
        (401, "SIGNATURE_INVALID：签名无效，不做任何处理"),
        (404, "SHIPMENT_NOT_FOUND、CARRIER_UNKNOWN"),
        (413, "PAYLOAD_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        (422, "VALIDATION_FAILED"),
    )
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
            raise fields_error(errors) from exc
        result = delivery.record_courier_event(
            carrier, report["tracking_no"], report["status"], report["at"]
        )
        return {"result": result}
