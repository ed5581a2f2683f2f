"""The files of an OFD package (GB/T 33190) and the zip that holds them.

One document, one page::

    OFD.xml                         DocInfo (with CustomDatas), DocRoot, Signatures
    Doc_0/Document.xml              page size, resources, the page list
    Doc_0/PublicRes.xml             fonts (subsets embedded under Doc_0/Res/)
    Doc_0/DocumentRes.xml           images (the seal picture)
    Doc_0/Pages/Page_0/Content.xml  the page's objects
    Doc_0/Signs/…                   added by the signer (``Signatures.xml`` is named in advance)
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Sequence
from datetime import date

from reportlab.pdfbase import pdfmetrics

from pdf_templates.ofd.canvas import OfdCanvas, number, xml_text
from pdf_templates.ofd.fonts import family_name, subset_font

NAMESPACE = "http://www.ofdspec.org/2016"
SIGNATURES_PATH = "Doc_0/Signs/Signatures.xml"
PAGE_PATH = "Doc_0/Pages/Page_0/Content.xml"
_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed: the same document zips to the same bytes
# Stored, not deflated: PNG is compressed already, and so is most of the seal files — the
# SESeal (``.esl``) and the SES_Signature (``SignedValue.dat``) each carry the seal's PNG.
# Deflating them cost about 1.6 ms a licence to save 2 % of their size.
_STORED_SUFFIXES = (".png", ".esl", ".dat")


@dataclasses.dataclass(frozen=True)
class DocInfo:
    """``OFD.xml``'s DocInfo: identity, title, author, dates, and the custom metadata."""

    doc_id: str
    title: str
    author: str
    created: date
    custom: Sequence[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class Image:
    """An image resource: its id, file name under ``Doc_0/Res/`` and PNG bytes."""

    resource_id: int
    name: str
    png: bytes


@dataclasses.dataclass
class OfdPackage:
    """An OFD package being built: file path → bytes, and what a signer needs to know."""

    files: dict[str, bytes]
    page_id: int
    max_id: int
    stamp_box: tuple[float, float, float, float] | None  # mm, where the seal sits

    def zip(self) -> bytes:
        """The package as the bytes of an ``.ofd`` file."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for path, data in self.files.items():
                info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
                stored = path.endswith(_STORED_SUFFIXES)
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        return buffer.getvalue()


def _font_path(font: str) -> str | None:
    """The TrueType file of a registered ReportLab font; ``None`` for a built-in CID font."""
    face = getattr(pdfmetrics.getFont(font), "face", None)
    return getattr(face, "filename", None) if face is not None else None


def build_package(
    canvas: OfdCanvas,
    info: DocInfo,
    images: Sequence[Image],
    stamp_box: tuple[float, float, float, float] | None,
    *,
    signed: bool,
) -> OfdPackage:
    """The package of the page drawn on ``canvas``, fonts subset to what it printed."""
    files: dict[str, bytes] = {}
    fonts = []
    for font, font_id in canvas.font_ids.items():
        path = _font_path(font)
        if path is None:  # built-in CID font: the viewer supplies a Song typeface
            fonts.append(f'<ofd:Font ID="{font_id}" FontName="宋体" FamilyName="宋体"/>')
            continue
        name = f"font_{font_id}.ttf"
        files[f"Doc_0/Res/{name}"] = subset_font(path, canvas.characters.get(font, ()))
        family = xml_text(family_name(path))
        fonts.append(
            f'<ofd:Font ID="{font_id}" FontName="{family}" FamilyName="{family}">'
            f"<ofd:FontFile>{name}</ofd:FontFile></ofd:Font>"
        )
    media = "".join(
        f'<ofd:MultiMedia ID="{image.resource_id}" Type="Image" Format="PNG">'
        f"<ofd:MediaFile>{image.name}</ofd:MediaFile></ofd:MultiMedia>"
        for image in images
    )
    for image in images:
        files[f"Doc_0/Res/{image.name}"] = image.png
    width, height = number(canvas.page_width / 72 * 25.4), number(canvas.page_height / 72 * 25.4)
    page_id, layer_id = canvas.new_id(), canvas.new_id()
    files["OFD.xml"] = _ofd_xml(info, signed)
    files["Doc_0/Document.xml"] = _xml(
        f'<ofd:Document xmlns:ofd="{NAMESPACE}"><ofd:CommonData>'
        f"<ofd:MaxUnitID>{canvas.next_id}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {width} {height}</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        f'</ofd:CommonData><ofd:Pages><ofd:Page ID="{page_id}" BaseLoc="Pages/Page_0/Content.xml"/>'
        "</ofd:Pages></ofd:Document>"
    )
    files["Doc_0/PublicRes.xml"] = _xml(
        f'<ofd:Res xmlns:ofd="{NAMESPACE}" BaseLoc="Res">'
        f"<ofd:Fonts>{''.join(fonts)}</ofd:Fonts></ofd:Res>"
    )
    files["Doc_0/DocumentRes.xml"] = _xml(
        f'<ofd:Res xmlns:ofd="{NAMESPACE}" BaseLoc="Res">'
        f"<ofd:MultiMedias>{media}</ofd:MultiMedias></ofd:Res>"
    )
    files[PAGE_PATH] = _xml(
        f'<ofd:Page xmlns:ofd="{NAMESPACE}"><ofd:Area><ofd:PhysicalBox>0 0 {width} {height}'
        f'</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="{layer_id}" Type="Body">'
        + "".join(canvas.objects)
        + "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    return OfdPackage(files=files, page_id=page_id, max_id=canvas.next_id, stamp_box=stamp_box)


def _ofd_xml(info: DocInfo, signed: bool) -> bytes:
    custom = "".join(
        f'<ofd:CustomData Name="{xml_text(name)}">{xml_text(value)}</ofd:CustomData>'
        for name, value in info.custom
    )
    signatures = f"<ofd:Signatures>{SIGNATURES_PATH}</ofd:Signatures>" if signed else ""
    return _xml(
        f'<ofd:OFD xmlns:ofd="{NAMESPACE}" Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        f"<ofd:DocID>{xml_text(info.doc_id)}</ofd:DocID><ofd:Title>{xml_text(info.title)}</ofd:Title>"
        f"<ofd:Author>{xml_text(info.author)}</ofd:Author>"
        f"<ofd:CreationDate>{info.created.isoformat()}</ofd:CreationDate>"
        f"<ofd:Creator>Zerovisit</ofd:Creator><ofd:CustomDatas>{custom}</ofd:CustomDatas>"
        f"</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{signatures}"
        "</ofd:DocBody></ofd:OFD>"
    )


def _xml(body: str) -> bytes:
    return (_HEADER + body).encode("utf-8")
