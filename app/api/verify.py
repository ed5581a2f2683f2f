"""Public verification of a licence by the QR code printed on it."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from sqlalchemy import select

from app.api.docs import Blueprint
from app.extensions import db, limiter
from app.models import Licence
from app.schemas.licence import VerificationSchema, VerifyQuerySchema
from app.services.licences import licence_status
from permits.catalogue import get_permit_type
from permits.identifiers import verification_code_matches

blp = Blueprint("verify", __name__, url_prefix="/verify", description="证照核验（公开）")


def _verify_limit() -> str:
    return current_app.config["VERIFY_LIMIT"]


@blp.route("/<path:number>")
class Verify(MethodView):
    decorators = [limiter.limit(_verify_limit)]

    @blp.arguments(VerifyQuerySchema, location="query")
    @blp.response(200, VerificationSchema)
    @blp.operation(
        "verifyLicence",
        "核验许可证（公开）",
        "扫描许可证二维码打开：证书是否真实有效。不显示个人信息；核验码错误与证号不存在的回答相同。",
        auth=False,
    )
    @blp.problems((429, "请求过于频繁"))
    def get(self, args: dict, number: str):
        """Is this licence genuine and valid? No personal data is shown."""
        licence = db.session.scalars(select(Licence).where(Licence.number == number)).first()
        secret = current_app.config["LICENCE_CHECK_SECRET"].encode()
        code_ok = verification_code_matches(secret, number, args["code"] or "")
        if licence is None or not code_ok:
            # A wrong code answers exactly like an unknown number.
            return {
                "valid": False,
                "status": None,
                "permit_type": None,
                "enterprise_name": None,
                "valid_until": None,
                "number": number,
            }
        status = licence_status(licence)
        permit_type = get_permit_type(licence.permit_type)
        holder = licence.holder
        name = holder.get("name") if permit_type.holder == "enterprise" else _masked_person(holder)
        return {
            "valid": status in ("active", "expiring"),
            "status": status,
            "permit_type": permit_type.name,
            "enterprise_name": name,
            "valid_until": licence.valid_until.isoformat(),
            "number": licence.number,
        }


def _masked_person(holder: dict) -> str:
    """A person's certificate shows the surname only (姓 + *), never the ID number."""
    name = holder.get("person_name") or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""
