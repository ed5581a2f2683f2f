"""OFD (GB/T 33190) documents: the licence as the national electronic-licence format.

- ``canvas``: ReportLab's canvas calls recorded as OFD page objects;
- ``fonts``: embedded TrueType subsets that keep glyph ids;
- ``package``: ``OFD.xml``, the document, resources and page, and the zip;
- ``licence``: the licence certificate, drawn by the PDF renderer's own layout code.

Signing (GB/T 38540 seals) is the application's: ``app/integrations/ofd_signing.py``.
"""

from pdf_templates.ofd.licence import render_licence_ofd
from pdf_templates.ofd.package import DocInfo, OfdPackage

__all__ = ["DocInfo", "OfdPackage", "render_licence_ofd"]
