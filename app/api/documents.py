"""Uploading and downloading the materials of an application."""

from __future__ import annotations

from flask import request, send_file
from flask.views import MethodView

from app.api.docs import Blueprint
from app.file_types import ALLOWED_TYPES
from app.schemas.application import UploadedDocumentSchema, UploadSchema
from app.services import documents as service
from app.services import pii_access
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent
from app.web.observability import request_origin
from app.web.request_guards import accepts

blp = Blueprint("documents", __name__, url_prefix="/applications", description="申请材料")


@blp.route("/<int:application_id>/documents")
class Documents(MethodView):
    @accepts("multipart/form-data")
    @idempotent
    @login_required
    @blp.arguments(UploadSchema, location="multipart")
    @blp.response(201, UploadedDocumentSchema)
    @blp.operation(
        "uploadDocument",
        "上传材料",
        "以 multipart/form-data 为一项材料上传一个文件（material、file）。"
        "接受 PDF、JPEG、PNG、OFD，按文件内容判定类型。仅草稿或待补正的申请可上传。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        404,
        (409, "APPLICATION_NOT_EDITABLE"),
        (413, "PAYLOAD_TOO_LARGE、FILE_TOO_LARGE：超过上传上限（默认 20 MiB）"),
        (415, "FILE_TYPE_NOT_ALLOWED、UNSUPPORTED_MEDIA_TYPE"),
        (422, "VALIDATION_FAILED：缺少 material 或 file；MATERIAL_UNKNOWN：未知材料"),
        (503, "STORAGE_UNAVAILABLE"),
    )
    def post(self, form: dict, application_id: int):
        """Upload one file (PDF, JPEG, PNG or OFD, judged by content) for one material."""
        document = service.upload_document(
            current_user(), application_id, form.get("material"), request.files.get("file")
        )
        return document


@blp.route("/<int:application_id>/documents/<int:document_id>/content")
class DocumentContent(MethodView):
    @login_required
    @blp.operation(
        "getDocumentContent",
        "下载材料",
        "上传的原文件，以附件形式返回，类型为上传时判定的类型。每次下载均留痕（查询留痕）。",
    )
    @blp.binary("材料文件", *ALLOWED_TYPES)
    @blp.problems(401, 404, (503, "STORAGE_UNAVAILABLE"))
    def get(self, application_id: int, document_id: int):
        """The uploaded bytes, as an attachment with the stored content type."""
        user = current_user()
        document = service.get_document(user, application_id, document_id)
        content = service.open_document(document)
        try:
            pii_access.record_download(user, document, pii_access.Origin(*request_origin()))
            return send_file(
                content,
                mimetype=document.content_type,
                as_attachment=True,
                download_name=document.filename,
                max_age=0,
            )
        except BaseException:
            content.close()
            raise


@blp.route("/<int:application_id>/documents/<int:document_id>")
class DocumentItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.operation("deleteDocument", "删除材料", "从草稿或待补正的申请中删除一个已上传的文件。")
    @blp.problems(401, 404, (409, "APPLICATION_NOT_EDITABLE"))
    def delete(self, application_id: int, document_id: int):
        """Remove an uploaded file from a draft or a case returned for supplement."""
        service.delete_document(current_user(), application_id, document_id)
