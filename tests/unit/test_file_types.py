"""Uploads are judged by content: polyglots and ZIP bombs are refused."""

from __future__ import annotations

import zipfile

import pytest

from app.file_types import sniff_content_type


def _judge(tmp_path, content: bytes) -> str | None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    return sniff_content_type(content[:4096], path)


def _ofd(tmp_path, entries: dict[str, bytes]) -> bytes:
    path = tmp_path / "pkg.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return path.read_bytes()


def test_a_plain_pdf_and_a_real_ofd_pass(tmp_path):
    assert _judge(tmp_path, b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n") == "application/pdf"
    ofd = _ofd(tmp_path, {"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
    assert _judge(tmp_path, ofd) == "application/ofd"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>",
        b"%PDF-1.4\n%<!DOCTYPE html><p>hi",
        b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>",
    ],
)
def test_a_document_that_is_also_a_web_page_is_refused(tmp_path, content):
    assert _judge(tmp_path, content) is None


def test_a_zip_bomb_named_ofd_is_refused(tmp_path):
    bomb = _ofd(tmp_path, {"OFD.xml": b"<ofd:OFD/>", "Doc_0/huge.xml": b"\0" * 5_000_000})
    assert _judge(tmp_path, bomb) is None


def test_an_ofd_whose_entries_escape_the_package_is_refused(tmp_path):
    evil = _ofd(tmp_path, {"OFD.xml": b"<ofd:OFD/>", "../../etc/cron.d/x": b"* * * * * x"})
    assert _judge(tmp_path, evil) is None
