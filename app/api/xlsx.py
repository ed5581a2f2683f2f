"""Sending an ``.xlsx`` export: streamed from its temporary file, removed once sent."""

from __future__ import annotations

import shutil

from flask import Response, send_file

from app.errors import Forbidden
from app.models import User
from app.services.exports import XLSX_TYPE, ExportFile


def wants_xlsx(user: User, args: dict) -> bool:
    """``?format=xlsx`` asked: only staff export (403 for anyone else)."""
    if args.get("format") != "xlsx":
        return False
    if not user.is_staff:
        raise Forbidden("仅工作人员可以导出", code="EXPORT_FORBIDDEN")
    return True


def send_export(export: ExportFile) -> Response:
    """The workbook as an attachment; the file and its folder go when the response closes."""
    response = send_file(
        export.path, mimetype=XLSX_TYPE, as_attachment=True, download_name=export.filename
    )
    response.headers["X-Export-Rows"] = str(export.rows)
    response.call_on_close(lambda: shutil.rmtree(export.path.parent, ignore_errors=True))
    return response


# Merged into the list's documented 200 (int key, as flask-smorest keys it): the same route
# answers a spreadsheet with ``?format=xlsx``.
XLSX_ALTERNATIVE = {
    "description": "format=xlsx 时为 Excel 文件（个人信息脱敏；X-Export-Rows 为行数）",
    "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}
