"""Resumable uploads by the tus protocol 1.0.0: an application's materials
(``/applications/{id}/uploads``) and a request desk request's attachments
(``/enterprise-requests/{id}/uploads``), through one service and one pipeline.

``POST …/uploads`` (creation) → ``Location``; ``HEAD`` → ``Upload-Offset``; ``PATCH`` appends
(checksum: ``Upload-Checksum: sha256 …``); ``DELETE`` abandons (termination); every response
says when the upload expires (expiration). ``OPTIONS`` tells a client what this server does.
The last ``PATCH`` answers with the document (or attachment), as the multipart route does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from marshmallow import Schema
from werkzeug.http import http_date

from app.api.docs import Blueprint
from app.errors import AppError, UnsupportedMediaType, field_error
from app.schemas.application import UploadedDocumentSchema
from app.schemas.enterprise_request import AttachmentSchema
from app.services import resumable_uploads as service
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent
from app.web.request_guards import accepts
from permits.identifiers import is_ascii_digits

blp = Blueprint("uploads", __name__, url_prefix="", description="断点续传")

TUS_VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
TUS_DOC = "tus 1.0.0 协议（https://tus.io）；请求须带 Tus-Resumable: 1.0.0。"


@blp.after_request
def _tus_headers(response: Response) -> Response:
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.before_request
def _check_version() -> None:
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise AppError(
            "不支持的 tus 协议版本，请使用 1.0.0",
            code="TUS_VERSION_UNSUPPORTED",
            status=412,
            title="协议版本不支持",
            headers={"Tus-Version": TUS_VERSION},
        )


def _capabilities(response: Response) -> Response:
    response.headers["Tus-Version"] = TUS_VERSION
    response.headers["Tus-Extension"] = "creation,checksum,termination,expiration"
    response.headers["Tus-Checksum-Algorithm"] = "sha256"
    response.headers["Tus-Max-Size"] = str(current_app.config["MAX_UPLOAD_BYTES"])
    return response


_UPLOADED = UploadedDocumentSchema()
_ATTACHED = AttachmentSchema()


def _created_response(schema: Schema, created: Any) -> Response:
    """The final PATCH's body: the multipart upload's answer, dumped by the same schema (the
    route's other answer is a bodiless 204, so the view builds its responses itself)."""
    return current_app.make_response(schema.dump(created))


def _upload_headers(upload: service.ResumableUpload, response: Response) -> Response:
    response.headers["Upload-Offset"] = str(upload.received)
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Upload-Expires"] = http_date(upload.expires_at)
    return response


def parse_checksum(header: str | None) -> bytes | None:
    """``Upload-Checksum: sha256 <base64>`` → the expected digest; other algorithms → 400."""
    if not header:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise AppError("仅支持 sha256 校验", code="CHECKSUM_ALGORITHM_UNSUPPORTED", status=400)
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise AppError("Upload-Checksum 格式不正确", code="CHECKSUM_INVALID", status=400)
    return digest


def _non_negative(name: str) -> int:
    value = request.headers.get(name, "")
    if not is_ascii_digits(value):
        raise field_error(name, f"{name} 须为非负整数", "TUS_HEADER_INVALID")
    return int(value)


def _create(target: service.Target, item_endpoint: str, **path: Any) -> Response:
    """tus creation for ``target``: 201 with the new upload's ``Location``."""
    if request.headers.get("Upload-Defer-Length"):
        raise field_error("Upload-Length", "须在创建时给出文件长度", "TUS_HEADER_INVALID")
    length = _non_negative("Upload-Length")
    metadata = service.parse_metadata(request.headers.get("Upload-Metadata", ""))
    upload = service.create(current_user(), target, length, metadata)
    response = Response(status=201)
    response.headers["Location"] = url_for(
        f"uploads.{item_endpoint}", upload_id=upload.id, _external=True, **path
    )
    return _upload_headers(upload, response)


def _offset(target: service.Target, upload_id: str) -> Response:
    upload = service.get(current_user(), target, upload_id)
    return _upload_headers(upload, Response(status=200))


def _append(target: service.Target, upload_id: str, schema: Schema) -> Response:
    """Append the body at ``Upload-Offset``; the last byte answers with ``schema``'s dump."""
    if request.mimetype != OFFSET_STREAM:
        raise UnsupportedMediaType(
            f"请求内容类型须为 {OFFSET_STREAM}", code="UNSUPPORTED_MEDIA_TYPE"
        )
    offset = _non_negative("Upload-Offset")
    expected = parse_checksum(request.headers.get("Upload-Checksum"))
    upload, created = service.append(
        current_user(),
        target,
        upload_id,
        offset,
        expected,
        request.stream,
        request.content_length,
    )
    if created is None:
        return _upload_headers(upload, Response(status=204))
    return _upload_headers(upload, _created_response(schema, created))


CREATED_DOC = {201: {"description": "已创建上传；Location 为其地址"}}
OPTIONS_DOC = {204: {"description": "本服务器支持的 tus 版本与扩展"}}
OPTIONS_DESCRIPTION = "返回 Tus-Version、Tus-Extension、Tus-Checksum-Algorithm 与 Tus-Max-Size。"
HEAD_DOC = {200: {"description": "Upload-Offset 为服务器已保存的字节数"}}
APPEND_DESCRIPTION = (
    f"{TUS_DOC}Content-Type: application/offset+octet-stream，"
    "Upload-Offset 须等于已上传字节数；可带 Upload-Checksum: sha256 <Base64>。"
)
APPEND_PROBLEMS: tuple[int | tuple[int, str], ...] = (
    401,
    (400, "CHECKSUM_ALGORITHM_UNSUPPORTED、CHECKSUM_INVALID"),
    (412, "TUS_VERSION_UNSUPPORTED"),
    (415, "FILE_TYPE_NOT_ALLOWED、UNSUPPORTED_MEDIA_TYPE"),
    (422, "TUS_HEADER_INVALID"),
    (460, "CHECKSUM_MISMATCH：该段数据未保存"),
    (503, "STORAGE_UNAVAILABLE"),
)
DELETE_DESCRIPTION = f"{TUS_DOC}删除未完成的上传及其已上传的数据。"


def _appended_doc(final: str, schema: type[Schema]) -> dict:
    return {
        204: {"description": "已追加；Upload-Offset 为新的偏移量"},
        200: {"description": final, "content": {"application/json": {"schema": schema}}},
    }


@blp.route("/applications/<int:application_id>/uploads")
class Uploads(MethodView):
    @login_required
    @blp.doc(responses=CREATED_DOC)
    @blp.operation(
        "createUpload",
        "创建断点续传上传",
        f"{TUS_DOC}Upload-Length 为文件字节数，Upload-Metadata 含 material（材料代码）与 "
        "filename（文件名），值为 Base64。返回 201 与 Location、Upload-Expires。",
    )
    @blp.problems(
        401,
        404,
        (409, "APPLICATION_NOT_EDITABLE、TOO_MANY_UPLOADS"),
        (412, "TUS_VERSION_UNSUPPORTED"),
        (413, "FILE_TOO_LARGE：超过上传上限（默认 20 MiB）"),
        (422, "VALIDATION_FAILED、MATERIAL_UNKNOWN、TUS_HEADER_INVALID"),
    )
    def post(self, application_id: int):
        """Create an upload of ``Upload-Length`` bytes for one material (tus creation)."""
        target = service.material_of(application_id)
        return _create(target, "UploadItem", application_id=application_id)

    @blp.doc(responses=OPTIONS_DOC)
    @blp.operation("describeUploads", "查询断点续传能力", OPTIONS_DESCRIPTION, auth=False)
    def options(self, application_id: int):
        """What this server supports; no login, as a browser's preflight sends none."""
        return _capabilities(Response(status=204))


@blp.route("/applications/<int:application_id>/uploads/<upload_id>")
class UploadItem(MethodView):
    @login_required
    @blp.doc(responses=HEAD_DOC)
    @blp.operation("getUploadOffset", "查询已上传字节数", f"{TUS_DOC}中断后据此续传。")
    @blp.problems(401, 404, (412, "TUS_VERSION_UNSUPPORTED"))
    def head(self, application_id: int, upload_id: str):
        """How many bytes of the upload are safely stored."""
        return _offset(service.material_of(application_id), upload_id)

    @accepts(OFFSET_STREAM)
    @idempotent
    @login_required
    @blp.doc(
        responses=_appended_doc(
            "最后一段已收到：材料已保存，响应体与 multipart 上传相同", UploadedDocumentSchema
        )
    )
    @blp.operation(
        "appendUpload",
        "续传一段数据",
        f"{APPEND_DESCRIPTION}最后一段与 multipart 上传同样检查文件内容。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        *APPEND_PROBLEMS,
        404,
        (409, "UPLOAD_OFFSET_MISMATCH、APPLICATION_NOT_EDITABLE"),
        (413, "UPLOAD_LENGTH_EXCEEDED"),
    )
    def patch(self, application_id: int, upload_id: str):
        """Append the body at ``Upload-Offset``; the last byte stores the document."""
        return _append(service.material_of(application_id), upload_id, _UPLOADED)

    @login_required
    @blp.response(204)
    @blp.operation("deleteUpload", "放弃上传", DELETE_DESCRIPTION)
    @blp.problems(401, 404, (412, "TUS_VERSION_UNSUPPORTED"))
    def delete(self, application_id: int, upload_id: str):
        """Abandon the upload (tus termination); its bytes are removed at once."""
        service.terminate(current_user(), service.material_of(application_id), upload_id)


@blp.route("/enterprise-requests/<int:request_id>/uploads")
class RequestUploads(MethodView):
    @login_required
    @blp.doc(responses=CREATED_DOC)
    @blp.operation(
        "createRequestAttachmentUpload",
        "创建诉求附件断点续传上传",
        f"{TUS_DOC}为本人的诉求续传一个附件：Upload-Length 为文件字节数，Upload-Metadata 含 "
        "filename（文件名），值为 Base64。返回 201 与 Location、Upload-Expires。",
    )
    @blp.problems(
        401,
        (404, "REQUEST_NOT_FOUND"),
        (409, "TOO_MANY_ATTACHMENTS、REQUEST_CLOSED、TOO_MANY_UPLOADS"),
        (412, "TUS_VERSION_UNSUPPORTED"),
        (413, "FILE_TOO_LARGE：超过上传上限（默认 20 MiB）"),
        (422, "VALIDATION_FAILED、TUS_HEADER_INVALID"),
    )
    def post(self, request_id: int):
        """Create an upload of ``Upload-Length`` bytes for one attachment (tus creation)."""
        target = service.attachment_of(request_id)
        return _create(target, "RequestUploadItem", request_id=request_id)

    @blp.doc(responses=OPTIONS_DOC)
    @blp.operation(
        "describeRequestAttachmentUploads",
        "查询诉求附件断点续传能力",
        OPTIONS_DESCRIPTION,
        auth=False,
    )
    def options(self, request_id: int):
        """What this server supports; no login, as a browser's preflight sends none."""
        return _capabilities(Response(status=204))


@blp.route("/enterprise-requests/<int:request_id>/uploads/<upload_id>")
class RequestUploadItem(MethodView):
    @login_required
    @blp.doc(responses=HEAD_DOC)
    @blp.operation(
        "getRequestAttachmentUploadOffset", "查询诉求附件已上传字节数", f"{TUS_DOC}中断后据此续传。"
    )
    @blp.problems(401, (404, "UPLOAD_NOT_FOUND"), (412, "TUS_VERSION_UNSUPPORTED"))
    def head(self, request_id: int, upload_id: str):
        """How many bytes of the upload are safely stored."""
        return _offset(service.attachment_of(request_id), upload_id)

    @accepts(OFFSET_STREAM)
    @idempotent
    @login_required
    @blp.doc(
        responses=_appended_doc(
            "最后一段已收到：附件已保存，响应体与 multipart 上传附件相同", AttachmentSchema
        )
    )
    @blp.operation(
        "appendRequestAttachmentUpload",
        "续传诉求附件的一段数据",
        f"{APPEND_DESCRIPTION}最后一段与 multipart 上传附件同样检查文件内容。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        *APPEND_PROBLEMS,
        (404, "REQUEST_NOT_FOUND、UPLOAD_NOT_FOUND"),
        (409, "UPLOAD_OFFSET_MISMATCH、TOO_MANY_ATTACHMENTS、REQUEST_CLOSED"),
        (413, "UPLOAD_LENGTH_EXCEEDED"),
    )
    def patch(self, request_id: int, upload_id: str):
        """Append the body at ``Upload-Offset``; the last byte stores the attachment."""
        return _append(service.attachment_of(request_id), upload_id, _ATTACHED)

    @login_required
    @blp.response(204)
    @blp.operation("deleteRequestAttachmentUpload", "放弃诉求附件上传", DELETE_DESCRIPTION)
    @blp.problems(401, (404, "UPLOAD_NOT_FOUND"), (412, "TUS_VERSION_UNSUPPORTED"))
    def delete(self, request_id: int, upload_id: str):
        """Abandon the upload (tus termination); its bytes are removed at once."""
        service.terminate(current_user(), service.attachment_of(request_id), upload_id)
