"""Public verification by the QR code: what anyone may know about a licence number.

``Verification`` is the object ``VerificationSchema`` dumps (JSON) and the browser page
shows. A wrong check code answers exactly like an unknown number: no licence, every field
``null`` but the number asked about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from flask import current_app
from sqlalchemy import select

from app.domain.permit_types import require_permit_type
from app.extensions import db
from app.licences.lifecycle import STATUS_LABELS, licence_status
from app.models import Licence
from permits.identifiers import verification_code_matches

VALID_STATUSES = ("active", "expiring")


def _masked_person(holder: dict) -> str:
    """A person's certificate shows the surname only (姓 + *), never the ID number."""
    name = holder.get("person_name") or ""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


@dataclass(frozen=True)
class Verification:
    """The answer for ``number``: its licence when the check code matched, else None."""

    number: str
    licence: Licence | None

    @cached_property
    def status(self) -> str | None:
        return licence_status(self.licence) if self.licence else None

    @property
    def valid(self) -> bool:
        return self.status in VALID_STATUSES

    @property
    def status_label(self) -> str | None:
        return STATUS_LABELS[self.status] if self.status else None

    @property
    def permit_type(self) -> str | None:
        return require_permit_type(self.licence.permit_type).name if self.licence else None

    @property
    def enterprise_name(self) -> str | None:
        """The holder: an enterprise's name, a person's surname only."""
        if self.licence is None:
            return None
        holder = self.licence.holder
        if require_permit_type(self.licence.permit_type).holder == "enterprise":
            return holder.get("name")
        return _masked_person(holder)

    @property
    def valid_from(self) -> date | None:
        return self.licence.valid_from if self.licence else None

    @property
    def valid_until(self) -> date | None:
        return self.licence.valid_until if self.licence else None

    @property
    def issuer_name(self) -> str | None:
        return self.licence.issuer_name if self.licence else None


def verify(number: str, code: str) -> Verification:
    """What the public may know about licence ``number`` given the check ``code``."""
    licence = db.session.scalars(select(Licence).where(Licence.number == number)).first()
    secret = current_app.config["LICENCE_CHECK_SECRET"].encode()
    if licence is None or not verification_code_matches(secret, number, code):
        return Verification(number, None)
    return Verification(licence.number, licence)
