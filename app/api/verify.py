"""Public verification of a licence by the QR code printed on it.

The QR code is scanned by the public with a phone camera, so a browser (``Accept`` preferring
``text/html``) gets a small Chinese page rendered here, with inline CSS and no external
assets; API clients get JSON. A wrong check code answers exactly like an unknown number, in
both forms, so the page cannot be used to probe which numbers exist.
"""

from __future__ import annotations

from flask import Response, after_this_request, current_app, render_template, request
from flask.views import MethodView

from app import timekeeping
from app.api.docs import Blueprint
from app.extensions import limiter
from app.licences.verification import Verification, verify
from app.schemas.licence import VerificationSchema, VerifyQuerySchema
from app.web.reading_aids import elder_mode_on

blp = Blueprint("verify", __name__, url_prefix="/verify", description="证照核验（公开）")


def _verify_limit() -> str:
    return current_app.config["VERIFY_LIMIT"]


def _wants_html() -> bool:
    """A browser (text/html preferred over JSON) gets the page; anything else gets JSON."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _page(result: Verification) -> Response:
    html = render_template(
        "verify/licence.html",
        result=VerificationSchema().dump(result),
        checked_at=timekeeping.now().astimezone(timekeeping.OFFICE_TZ),
        elder_mode=elder_mode_on(request),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    return response


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
    @blp.page("核验结果：API 客户端得到 JSON；浏览器（Accept 优先 text/html）得到中文核验页面")
    @blp.problems((429, "请求过于频繁"))
    def get(self, args: dict, number: str):
        """公开核验证照：浏览器得到中文核验页面（text/html），其他客户端得到 JSON；不含个人信息。"""
        result = verify(number, args["code"] or "")

        @after_this_request
        def _vary(response: Response) -> Response:
            response.headers.add("Vary", "Accept")  # one URL, two representations
            return response

        if _wants_html():
            return _page(result)
        return result
