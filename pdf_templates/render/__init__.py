"""The renderer: layout (``pdf_templates/*.yaml``) + data → PDF bytes; signing is separate.

Modules, each a small piece:

- ``fonts``: fonts chosen by what their character maps cover, with per-run fallback;
- ``text``: drawing text run by run, Chinese line breaking, sizes that fit;
- ``page``: the page (:class:`Sheet`), the certificate frame, issuer + date + seal;
- ``particulars``: the licence's two-column table;
- ``qr``: QR codes as one vector path;
- ``licence``, ``label``: the documents (written notices: ``pdf_templates/notices.py``).
"""

from pdf_templates.render.fonts import Typeface, select_typeface
from pdf_templates.render.label import LabelDocument, render_label, render_labels
from pdf_templates.render.licence import LicenceDocument, render_licence
from pdf_templates.render.page import LayoutOverflowError

__all__ = [
    "LabelDocument",
    "LayoutOverflowError",
    "LicenceDocument",
    "Typeface",
    "render_label",
    "render_labels",
    "render_licence",
    "select_typeface",
]
