"""Office operations (承办): who stands in for whom, the staff's internal notes on a case,
how each region hands out new cases, what a case looked like when it was last submitted,
and the record of every spreadsheet export."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import JSONType, UTCDateTime, utcnow
from app.models.sealed import CASE_SNAPSHOT_FORM
from app.models.user import User

ASSIGNMENT_MODES = ("manual", "least_loaded")
# The hand-overs of a case, offered in its ``actions`` beside the workflow's steps.
OFFICE_ACTIONS = ("assign", "claim", "transfer")


class StaffDeputy(Model):
    """代理: ``deputy_id`` acts for ``staff_id`` from ``starts_on`` to ``ends_on`` (inclusive)."""

    __tablename__ = "staff_deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])


class CaseNote(Model):
    """An internal remark on a case (内部意见): staff only, never shown to the applicant."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])


class RegionAssignment(Model):
    """How a region's accepted cases get their owner; its row is also the lock that makes
    concurrent ``least_loaded`` choices one at a time."""

    __tablename__ = "region_assignments"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), default="manual")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CaseSnapshot(Model):
    """The form and the last document at a submission or a supplement request: what
    ``GET …/changes`` compares the case with."""

    __tablename__ = "case_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    form: Mapped[dict] = mapped_column(CASE_SNAPSHOT_FORM, default=dict)
    last_document_id: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportRecord(Model):
    """One spreadsheet export: who, when, which list with which filter, how many rows."""

    __tablename__ = "export_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
