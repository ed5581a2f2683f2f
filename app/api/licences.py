"""Licences: list, show, the signed PDF, revocation, and the authority's root certificate."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, login_required, staff_required
from app.integrations.signer import ca_pem
from app.schemas.common import page_of
from app.schemas.licence import LicencePageSchema, LicenceQuerySchema, LicenceSchema, RevokeSchema
from app.services import licence_access as service
from app.services.licence_documents import licence_pdf, pki_paths
from app.services.licences import licence_view

blp = Blueprint("licences", __name__, url_prefix="", description="许可证")
SECURITY = [{"bearerAuth": []}]


@blp.route("/licences")
class Licences(MethodView):
    @login_required
    @blp.arguments(LicenceQuerySchema, location="query")
    @blp.response(200, LicencePageSchema)
    @blp.doc(security=SECURITY)
    def get(self, args: dict):
        """The caller's licences (staff: their region's), soonest expiry first."""
        items, total = service.list_licences(
            current_user(),
            enterprise_id=args.get("enterprise_id"),
            status=args.get("status"),
            expiring_within_days=args.get("expiring_within_days"),
            page=args["page"],
            page_size=args["page_size"],
        )
        return page_of([licence_view(x) for x in items], args["page"], args["page_size"], total)


@blp.route("/licences/<int:licence_id>")
class LicenceItem(MethodView):
    @login_required
    @blp.response(200, LicenceSchema)
    @blp.doc(security=SECURITY)
    def get(self, licence_id: int):
        """One licence with its status and days to expiry."""
        return licence_view(service.get_licence(current_user(), licence_id))


@blp.route("/licences/<int:licence_id>/pdf")
class LicencePdf(MethodView):
    @login_required
    @blp.response(200, content_type="application/pdf")
    @blp.doc(security=SECURITY)
    def get(self, licence_id: int):
        """The electronic licence, a PDF signed by the issuing authority."""
        licence = service.get_licence(current_user(), licence_id)
        response = Response(licence_pdf(licence), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="licence-{licence.id}.pdf"'
        return response


@blp.route("/licences/<int:licence_id>/revoke")
class LicenceRevoke(MethodView):
    @staff_required("approver")
    @blp.arguments(RevokeSchema)
    @blp.response(200, LicenceSchema)
    @blp.doc(security=SECURITY)
    def post(self, body: dict, licence_id: int):
        """Revoke a licence in the caller's region, with the reason."""
        licence = service.revoke_licence(
            current_user(), licence_id, body["comment"], body.get("version")
        )
        return licence_view(licence)


@blp.route("/pki/ca.pem")
class RootCertificate(MethodView):
    @blp.response(200, content_type="application/x-pem-file")
    def get(self):
        """The issuing authority's root certificate, to validate licence signatures."""
        return Response(ca_pem(pki_paths().root_cert), mimetype="application/x-pem-file")
