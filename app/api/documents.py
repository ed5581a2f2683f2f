"""Uploading and downloading the materials of an application."""

from __future__ import annotations

from flask import request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, login_required
from app.idempotency import idempotent
from app.request_guards import accepts
from app.schemas.application import UploadedDocumentSchema, UploadFileSchema, UploadFormSchema
from app.services import documents as service
from app.services.applications import document_view

blp = Blueprint("documents", __name__, url_prefix="/applications", description="申请材料")
SECURITY = [{"bearerAuth": []}]


@blp.route("/<int:application_id>/documents")
class Documents(MethodView):
    @accepts("multipart/form-data")
    @idempotent
    @login_required
    @blp.arguments(UploadFormSchema, location="form")
    @blp.arguments(UploadFileSchema, location="files")
    @blp.response(201, UploadedDocumentSchema)
    @blp.doc(security=SECURITY)
    def post(self, form: dict, files: dict, application_id: int):
        """Upload one file (PDF, JPEG, PNG or OFD, judged by content) for one material."""
        document = service.upload_document(
            current_user(), application_id, form.get("material"), request.files.get("file")
        )
        return {**document_view(document), "application_version": document.application.version}


@blp.route("/<int:application_id>/documents/<int:document_id>/content")
class DocumentContent(MethodView):
    @login_required
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, application_id: int, document_id: int):
        """The uploaded bytes, as an attachment with the stored content type."""
        document = service.get_document(current_user(), application_id, document_id)
        return send_file(
            service.open_document(document),
            mimetype=document.content_type,
            as_attachment=True,
            download_name=document.filename,
            max_age=0,
        )


@blp.route("/<int:application_id>/documents/<int:document_id>")
class DocumentItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.doc(security=SECURITY)
    def delete(self, application_id: int, document_id: int):
        """Remove an uploaded file from a draft or a case returned for supplement."""
        service.delete_document(current_user(), application_id, document_id)
