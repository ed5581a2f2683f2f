"""Licences: list, show, the signed PDF and sealed OFD, revocation, the root certificates."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.api.xlsx import XLSX_ALTERNATIVE, send_export, wants_xlsx
from app.integrations.signer import ca_pem
from app.integrations.sm2 import certificate_pem
from app.licences import access as service
from app.licences.documents import licence_ofd, licence_pdf, pki_paths, seal_signer
from app.licences.shown import LicenceOut
from app.schemas.common import page_of
from app.schemas.licence import LicencePageSchema, LicenceQuerySchema, LicenceSchema, RevokeSchema
from app.services import exports, pii_access
from app.web.auth import current_user, login_required, staff_required
from app.web.observability import request_origin

blp = Blueprint("licences", __name__, url_prefix="", description="许可证")


@blp.route("/licences")
class Licences(MethodView):
    @login_required
    @blp.arguments(LicenceQuerySchema, location="query")
    @blp.response(200, LicencePageSchema)
    @blp.operation(
        "listLicences",
        "许可证列表",
        "申请人：其企业的许可证；工作人员：所辖区域的许可证。按到期日先后、分页；"
        "可按企业、状态、多少天内到期筛选。",
    )
    @blp.doc(responses={200: XLSX_ALTERNATIVE})
    @blp.problems(401, (403, "EXPORT_FORBIDDEN：仅工作人员可以导出"), 422)
    def get(self, args: dict):
        """The caller's licences (staff: their region's), soonest expiry first."""
        if wants_xlsx(current_user(), args):
            filters = {k: v for k, v in args.items() if k not in ("page", "page_size", "format")}
            return send_export(exports.export_licences(current_user(), filters))
        items, total = service.list_licences(
            current_user(),
            enterprise_id=args.get("enterprise_id"),
            status=args.get("status"),
            expiring_within_days=args.get("expiring_within_days"),
            page=args["page"],
            page_size=args["page_size"],
        )
        return page_of([LicenceOut(x) for x in items], args["page"], args["page_size"], total)


@blp.route("/licences/<int:licence_id>")
class LicenceItem(MethodView):
    @login_required
    @blp.response(200, LicenceSchema)
    @blp.operation("getLicence", "许可证详情", "一张许可证及其状态、距到期天数。")
    @blp.problems(401, 404)
    def get(self, licence_id: int):
        """One licence with its status and days to expiry."""
        return LicenceOut(service.get_licence(current_user(), licence_id))


@blp.route("/licences/<int:licence_id>/pdf")
class LicencePdf(MethodView):
    @login_required
    @blp.operation(
        "getLicencePdf",
        "电子许可证（PDF）",
        "由发证机关数字签名的电子许可证 PDF，带核验二维码。"
        "个人持证的证书载有完整身份证号码，下载留痕。",
    )
    @blp.binary("签名的电子许可证", "application/pdf")
    @blp.problems(401, 404, (409, "LICENCE_PDF_PENDING"), (503, "STORAGE_UNAVAILABLE"))
    def get(self, licence_id: int):
        """The electronic licence, a PDF signed by the issuing authority."""
        user = current_user()
        licence = service.get_licence(user, licence_id)
        content = licence_pdf(licence)
        pii_access.record_licence_pdf(user, licence, pii_access.Origin(*request_origin()))
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="licence-{licence.id}.pdf"'
        return response


@blp.route("/licences/<int:licence_id>/ofd")
class LicenceOfd(MethodView):
    @login_required
    @blp.operation(
        "getLicenceOfd",
        "国家标准电子证照（OFD）",
        "与 PDF 相同的许可证，OFD 格式（GB/T 33190），带 GB/T 38540 SM2 电子签章，"
        "可用任何支持国密的 OFD 阅读器或 OpenSSL 核验；根证书见 /pki/sm2-ca.pem。"
        "个人持证的证书载有完整身份证号码，下载留痕。",
    )
    @blp.binary("加盖电子签章的电子证照", "application/ofd")
    @blp.problems(401, 404, (409, "LICENCE_PDF_PENDING"), (503, "STORAGE_UNAVAILABLE"))
    def get(self, licence_id: int):
        """The electronic licence as OFD, sealed with the authority's SM2 electronic seal."""
        user = current_user()
        licence = service.get_licence(user, licence_id)
        content = licence_ofd(licence)
        # Like the PDF, a person's certificate prints the full ID number: the download is recorded.
        pii_access.record_licence_pdf(user, licence, pii_access.Origin(*request_origin()))
        response = Response(content, mimetype="application/ofd")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{licence.identifier or licence.id}.ofd"'
        )
        return response


@blp.route("/licences/<int:licence_id>/revoke")
class LicenceRevoke(MethodView):
    @staff_required("approver")
    @blp.arguments(RevokeSchema)
    @blp.response(200, LicenceSchema)
    @blp.operation(
        "revokeLicence",
        "撤销许可证",
        "审批人员撤销所辖区域内的一张有效许可证，须说明理由；可带 version 防止覆盖他人修改。",
    )
    @blp.problems(
        401,
        (403, "仅审批人员"),
        404,
        (409, "LICENCE_NOT_ACTIVE、VERSION_CONFLICT"),
        *JSON_BODY,
    )
    def post(self, body: dict, licence_id: int):
        """Revoke a licence in the caller's region, with the reason."""
        licence = service.revoke_licence(
            current_user(), licence_id, body["comment"], body.get("version")
        )
        return LicenceOut(licence)


@blp.route("/pki/ca.pem")
class RootCertificate(MethodView):
    @blp.operation(
        "getRootCertificate",
        "发证机关根证书",
        "发证机关的根证书（PEM），用于在 PDF 阅读器或 pyHanko 中验证许可证签名。",
        auth=False,
    )
    @blp.binary("根证书（PEM）", "application/x-pem-file")
    def get(self):
        """The issuing authority's root certificate, to validate licence signatures."""
        return Response(ca_pem(pki_paths().root_cert), mimetype="application/x-pem-file")


@blp.route("/pki/sm2-ca.pem")
class Sm2RootCertificate(MethodView):
    @blp.operation(
        "getSm2RootCertificate",
        "电子印章 SM2 根证书",
        "制章者证书与签章者证书所链接的 SM2 根证书（PEM），用于核验 OFD 电子证照的电子签章。",
        auth=False,
    )
    @blp.binary("SM2 根证书（PEM）", "application/x-pem-file")
    def get(self):
        """The SM2 root certificate the seal maker's and the signer's certificates chain to."""
        return Response(certificate_pem(seal_signer().ca), mimetype="application/x-pem-file")
