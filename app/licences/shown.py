"""A licence as shown: ``LicenceOut``, the object ``LicenceSchema`` (app/schemas) dumps.

The API returns licences wrapped in ``LicenceOut`` and lets the schema dump them (once); the
console shows the same dump. What is not a column — status, days to expiry, the
particulars the licence lacks, the verification and OFD URLs — is derived here.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from app.domain.permit_types import require_permit_type
from app.licences.documents import ofd_url, verification_url
from app.licences.holder import name_on_licence
from app.licences.lifecycle import STATUS_LABELS, days_to_expiry, licence_status
from app.models import Licence


class LicenceOut:
    """A licence as the API shows it: its columns, and what is derived from them."""

    def __init__(self, licence: Licence) -> None:
        self.licence = licence

    def __getattr__(self, name: str) -> Any:
        return getattr(self.licence, name)

    @cached_property
    def status(self) -> str:
        return licence_status(self.licence)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def holder_name(self) -> str | None:
        return name_on_licence(self.licence.holder) or None

    @property
    def missing_particulars(self) -> list[dict[str, str]]:
        permit_type = require_permit_type(self.licence.permit_type)
        missing = permit_type.missing_particulars(self.licence.holder.get("form") or {})
        return [{"field": name, "label": permit_type.licence_fields[name]} for name in missing]

    @property
    def days_to_expiry(self) -> int:
        return days_to_expiry(self.licence)

    @property
    def verification_url(self) -> str:
        return verification_url(self.licence)

    @property
    def ofd_url(self) -> str:
        return ofd_url(self.licence)
