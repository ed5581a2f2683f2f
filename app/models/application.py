"""Applications (cases), their uploaded documents, the reviewers' per-material verdicts and
the applicant's rating of a closed case."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import Model
from app.models.base import JSONType, UTCDateTime, utcnow
from app.models.enterprise import Enterprise
from app.models.sealed import APPLICATION_DELIVERY, APPLICATION_FORM

if TYPE_CHECKING:
    from app.models.licence import Licence
    from app.models.modes import Commitment
    from app.models.user import User


class Application(Model):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_region_state", "region_code", "state"),
        # The queue's ``region_code LIKE '12%'``: under a non-C collation PostgreSQL can serve
        # a prefix match only from a pattern-ops index.
        Index(
            "ix_applications_region_pattern",
            "region_code",
            "state",
            postgresql_ops={"region_code": "varchar_pattern_ops"},
        ),
        # The review queue: only cases some staff role acts on, by region prefix (any
        # collation), in deadline order; who acts and the overdue inputs ride along, so the
        # cases of other roles are skipped without reading the table.
        Index(
            "ix_applications_queue",
            "region_code",
            "queue_due",
            "id",
            postgresql_ops={"region_code": "varchar_pattern_ops"},
            postgresql_include=["queue_roles", "state", "queue_overdue_on", "clock_paused_on"],
            postgresql_where=text("queue_roles IS NOT NULL"),
            sqlite_where=text("queue_roles IS NOT NULL"),
        ),
        # The statistics of a period (services/stats.py) read only the rows received, decided
        # or completed in it, from the index alone on PostgreSQL.
        Index(
            "ix_applications_submitted_at",
            "submitted_at",
            postgresql_include=["region_code", "state"],
        ),
        Index(
            "ix_applications_decided_at",
            "decided_at",
            postgresql_include=["region_code", "accepted_at", "decision_due"],
        ),
        Index(
            "ix_applications_closed_at", "closed_at", postgresql_include=["region_code", "state"]
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    permit_type: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    # The worker's ID number and phone, and the delivery phone and address, are sealed.
    form: Mapped[dict] = mapped_column(APPLICATION_FORM, default=dict)
    delivery: Mapped[dict] = mapped_column(APPLICATION_DELIVERY, default=dict)
    # Keyed blind index (HMAC-SM3) of the worker's ID number: equality lookups without
    # storing the number in clear (app/models/blind_index.py keeps it current).
    worker_id_index: Mapped[str | None] = mapped_column(String(64), index=True)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    issued_licence_id: Mapped[int | None] = mapped_column(
        ForeignKey("licences.id", use_alter=True, name="fk_applications_issued_licence_id")
    )
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # 承办人: the staff member answerable for the case (app/domain/assignment.py).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Workflow facts kept on the case.
    supplement_request: Mapped[dict | None] = mapped_column(JSONType)
    recommendation: Mapped[str | None] = mapped_column(String(16))
    inspection_date: Mapped[date | None] = mapped_column(Date)
    inspection_result: Mapped[str | None] = mapped_column(String(16))
    direct_extension: Mapped[bool] = mapped_column(default=False)
    # Service modes (app/services/modes/): unmet instant conditions, pre-review comments,
    # the joint review's units and opinions.
    modes: Mapped[dict | None] = mapped_column(JSONType)
    # Art. 42: the working days the decision limit was extended by (None: not extended)
    deadline_extended_days: Mapped[int | None] = mapped_column(Integer)

    # The statutory clock (working days): which limit runs, when it is due, pause state.
    clock_kind: Mapped[str | None] = mapped_column(String(16))
    clock_started_on: Mapped[date | None] = mapped_column(Date)
    clock_due: Mapped[date | None] = mapped_column(Date, index=True)
    clock_paused_on: Mapped[date | None] = mapped_column(Date)

    # What the review queue filters and orders by, kept current at every flush
    # (app/domain/queue_index.py): the staff roles acting now, the running limit's due date,
    # the first day the case is overdue.
    queue_roles: Mapped[str | None] = mapped_column(String(255))
    queue_due: Mapped[date | None] = mapped_column(Date)
    queue_overdue_on: Mapped[date | None] = mapped_column(Date)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_due: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Optimistic locking: every UPDATE says "WHERE version = <read>" and bumps it.
    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", cascade="all, delete-orphan"
    )
    verdicts: Mapped[list[MaterialVerdict]] = relationship(
        order_by="MaterialVerdict.id", cascade="all, delete-orphan"
    )
    # Read-only: commitments are added as rows of their own (services.modes.commitments.sign);
    # the collection lets a status read or the queue load them with the case.
    commitments: Mapped[list[Commitment]] = relationship(order_by="Commitment.id", viewonly=True)
    # The licence a renewal or change starts from (read-only: set through ``licence_id``).
    licence: Mapped[Licence | None] = relationship(foreign_keys=[licence_id], viewonly=True)
    # The assignee rides along with every case read (staff views name them).
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")

    def touch(self) -> None:
        """Something the case shows changed (its materials, commitments, state, deadline):
        a new version even when the clock stands still, since the version is what the
        phone's next write must quote and what the status read's ETag stands for."""
        self.updated_at = utcnow()
        flag_modified(self, "updated_at")


class Blob(Model):
    """File content stored once per SHA-256, whoever uploaded it."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Model):
    """One uploaded file for one material of one application."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")


class MaterialVerdict(Model):
    """A reviewer's verdict on a material, as it stood when judged (the latest upload)."""

    __tablename__ = "material_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The five grades of GB/T 39734 好差评, by score.
SCORE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class Rating(Model):
    """好差评: one rating per closed case."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # 差评整改: after the office's outcome the applicant may rate once more; the first
    # rating is kept here. An appeal upheld (a malicious rating) takes it out of the figures.
    first_score: Mapped[int | None] = mapped_column(Integer)
    rerated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
