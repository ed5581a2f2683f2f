"""A minimal OFD page rasteriser for tests, written from GB/T 33190 alone (zip + XML + Pillow).

Independent of the writer in ``pdf_templates/ofd``: it reads ``OFD.xml`` → ``Document.xml``
→ the first page and its resources, and draws path objects (``M``/``L``/``C`` abbreviated
data, fill and stroke colours, line widths), text objects (each character at ``X`` plus the
``DeltaX`` advances, in the font file embedded in the package — so a broken font subset
shows as missing text) and image objects. Enough for a licence; not a general viewer.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree import ElementTree

from PIL import Image, ImageDraw, ImageFont

NS = {"ofd": "http://www.ofdspec.org/2016"}


def _floats(text: str | None) -> list[float]:
    return [float(value) for value in (text or "").split()]


def _colour(element: ElementTree.Element, tag: str, default: tuple[int, int, int] | None):
    found = element.find(f"ofd:{tag}", NS)
    if found is None:
        return default
    red, green, blue = (int(value) for value in found.attrib["Value"].split())
    return (red, green, blue)


def _deltas(text: str | None) -> list[float]:
    """``DeltaX`` values, with the ``g count value`` repetition shorthand expanded."""
    tokens, values, index = (text or "").split(), [], 0
    while index < len(tokens):
        if tokens[index] == "g":
            values += [float(tokens[index + 2])] * int(tokens[index + 1])
            index += 3
        else:
            values.append(float(tokens[index]))
            index += 1
    return values


class _Package:
    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))

    def xml(self, path: str) -> ElementTree.Element:
        return ElementTree.fromstring(self.zip.read(path.lstrip("/")))

    def resources(self, doc_dir: str, document: ElementTree.Element) -> tuple[dict, dict]:
        fonts: dict[str, bytes | None] = {}
        images: dict[str, bytes] = {}
        for tag in ("PublicRes", "DocumentRes"):
            for location in document.findall(f"ofd:CommonData/ofd:{tag}", NS):
                res_path = posixpath.join(doc_dir, location.text or "")
                res = self.xml(res_path)
                base = posixpath.join(posixpath.dirname(res_path), res.attrib.get("BaseLoc", ""))
                for font in res.findall(".//ofd:Font", NS):
                    file = font.findtext("ofd:FontFile", namespaces=NS)
                    fonts[font.attrib["ID"]] = (
                        self.zip.read(posixpath.join(base, file)) if file else None
                    )
                for media in res.findall(".//ofd:MultiMedia", NS):
                    file = media.findtext("ofd:MediaFile", namespaces=NS) or ""
                    images[media.attrib["ID"]] = self.zip.read(posixpath.join(base, file))
        return fonts, images


def render_page(data: bytes, dpi: int = 150, fallback_font: str | None = None) -> Image.Image:
    """The first page of the OFD ``data`` as an RGB image at ``dpi``."""
    package = _Package(data)
    root = package.xml("OFD.xml")
    doc_path = root.findtext(".//ofd:DocRoot", namespaces=NS) or ""
    document = package.xml(doc_path)
    doc_dir = posixpath.dirname(doc_path)
    width, height = _floats(document.findtext(".//ofd:PhysicalBox", namespaces=NS))[2:]
    scale = dpi / 25.4
    image = Image.new("RGB", (round(width * scale), round(height * scale)), "white")
    fonts, images = package.resources(doc_dir, document)
    page_path = document.find("ofd:Pages/ofd:Page", NS).attrib["BaseLoc"]  # type: ignore[union-attr]
    page = package.xml(posixpath.join(doc_dir, page_path))
    painter = _Painter(image, scale, fonts, images, fallback_font)
    for layer in page.findall(".//ofd:Layer", NS):
        for element in layer:
            painter.draw(element)
    return image


class _Painter:
    def __init__(self, image, scale, fonts, images, fallback_font) -> None:  # type: ignore[no-untyped-def]
        self.image, self.scale = image, scale
        self.canvas = ImageDraw.Draw(image)
        self.fonts, self.images, self.fallback = fonts, images, fallback_font
        self._loaded: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}

    def draw(self, element: ElementTree.Element) -> None:
        kind = element.tag.rsplit("}", 1)[-1]
        left, top = _floats(element.attrib.get("Boundary"))[:2]
        if kind == "PathObject":
            self._path(element, left, top)
        elif kind == "TextObject":
            self._text(element, left, top)
        elif kind == "ImageObject":
            self._image(element)

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return (x * self.scale, y * self.scale)

    def _path(self, element: ElementTree.Element, left: float, top: float) -> None:
        tokens = (element.findtext("ofd:AbbreviatedData", namespaces=NS) or "").split()
        a, b, c, d, e, f = _floats(element.attrib.get("CTM")) or [1, 0, 0, 1, 0, 0]

        def at(x: float, y: float) -> tuple[float, float]:
            return self._xy(left + a * x + c * y + e, top + b * x + d * y + f)

        shapes, current, index = [], [], 0
        while index < len(tokens):
            operator = tokens[index]
            if operator in ("M", "L"):
                point = at(float(tokens[index + 1]), float(tokens[index + 2]))
                if operator == "M" and current:
                    shapes.append((current, False))
                    current = []
                current.append(point)
                index += 3
            elif operator == "C":
                shapes.append((current, True))
                current, index = [], index + 1
            else:
                raise ValueError(f"path operator {operator!r} not supported by this test reader")
        if current:
            shapes.append((current, False))
        fill = _colour(element, "FillColor", (0, 0, 0))
        stroke = _colour(element, "StrokeColor", (0, 0, 0))
        width = max(1, round(float(element.attrib.get("LineWidth", "0.353")) * self.scale))
        for points, closed in shapes:
            if element.attrib.get("Fill") == "true" and len(points) > 2:
                self.canvas.polygon(points, fill=fill)
            if element.attrib.get("Stroke", "true") != "false" and len(points) > 1:
                self.canvas.line(points + (points[:1] if closed else []), fill=stroke, width=width)

    def _font(self, font_id: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        key = (font_id, size)
        if key not in self._loaded:
            data = self.fonts.get(font_id)
            if data is not None:
                self._loaded[key] = ImageFont.truetype(io.BytesIO(data), size)
            elif self.fallback:
                self._loaded[key] = ImageFont.truetype(self.fallback, size)
            else:
                return ImageFont.load_default(size)
        return self._loaded[key]

    def _text(self, element: ElementTree.Element, left: float, top: float) -> None:
        size = float(element.attrib["Size"])
        font = self._font(element.attrib["Font"], max(1, round(size * self.scale)))
        colour = _colour(element, "FillColor", (0, 0, 0))
        for code in element.findall("ofd:TextCode", NS):
            x, y = float(code.attrib["X"]), float(code.attrib["Y"])
            deltas = _deltas(code.attrib.get("DeltaX"))
            for index, character in enumerate(code.text or ""):
                self.canvas.text(
                    self._xy(left + x, top + y), character, font=font, fill=colour, anchor="ls"
                )
                x += deltas[index] if index < len(deltas) else size

    def _image(self, element: ElementTree.Element) -> None:
        left, top, width, height = _floats(element.attrib["Boundary"])
        picture = Image.open(io.BytesIO(self.images[element.attrib["ResourceID"]])).convert("RGBA")
        box = (round(width * self.scale), round(height * self.scale))
        self.image.paste(
            picture.resize(box),
            (round(left * self.scale), round(top * self.scale)),
            picture.resize(box),
        )
