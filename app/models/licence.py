"""Issued (or imported) licences and the per-issuer number sequences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow
from app.models.enterprise import Enterprise
from app.models.sealed import LICENCE_HOLDER


class Licence(Model):
    __tablename__ = "licences"
    # A holder's licences soonest expiry first, paged (the licence list).
    __table_args__ = (
        Index("ix_licences_enterprise_valid_until", "enterprise_id", "valid_until", "id"),
        # One permit type's licences expiring in a window of days (the reminder scan).
        Index("ix_licences_permit_type_valid_until", "permit_type", "valid_until"),
        # A region's licences by code prefix (statistics, staff lists) under any collation.
        Index(
            "ix_licences_region_pattern",
            "region_code",
            postgresql_ops={"region_code": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    identifier: Mapped[str] = mapped_column(String(128), default="")
    permit_type: Mapped[str] = mapped_column(String(64), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    # What the certificate prints about its holder, frozen at issue time.
    holder: Mapped[dict] = mapped_column(LICENCE_HOLDER, default=dict)
    # Keyed blind index of a person holder's ID number (app/models/blind_index.py).
    holder_id_index: Mapped[str | None] = mapped_column(String(64), index=True)
    issuer_name: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date, index=True)
    # Only the states that are events; active/expiring/expired are derived from dates.
    terminal_status: Mapped[str | None] = mapped_column(String(16))  # superseded | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", use_alter=True, name="fk_licences_application_id")
    )
    change_note: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16), default="issued")  # issued | imported
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    # The sealed OFD (GB/T 33190 with a GB/T 38540 seal) in the document store, by hash.
    ofd_sha256: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    # Whether a renewal follows this licence, when a list noted it for its whole page
    # (``services.licences.note_successors``); None otherwise, and ``has_successor`` asks.
    successor_loaded: Mapped[bool | None] = query_expression()


class LicenceSequence(Model):
    """Next serial per permit type, issuer and year; row-locked while a number is taken."""

    __tablename__ = "licence_sequences"

    permit_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    issuer_region: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
