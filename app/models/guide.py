"""Guide search (办事指南/智能问答): the FAQ admins maintain and the full-text index.

``GuidePassage`` holds each searchable passage (a section of a permit type's guide, its
material list per kind, or an FAQ entry) with its text pre-segmented by jieba. PostgreSQL
searches ``search_vector`` (a ``tsvector`` over the segmented text, 'simple' configuration,
GIN index); SQLite searches the FTS5 table ``guide_fts`` that the migration creates beside it
(not a model: it is a virtual table, see ``migrations/env.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow

SearchVector = Text().with_variant(TSVECTOR(), "postgresql")


class FaqEntry(Model):
    """A question applicants ask and the office's answer; general when ``permit_type`` is None."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(200), unique=True)
    answer: Mapped[str] = mapped_column(Text)
    permit_type: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuidePassage(Model):
    __tablename__ = "guide_passages"
    __table_args__ = (
        Index("ix_guide_passages_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    permit_type: Mapped[str | None] = mapped_column(String(64))
    section: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)  # what the snippet is cut from
    title_tokens: Mapped[str] = mapped_column(Text)  # type name and aliases, section name
    keyword_tokens: Mapped[str] = mapped_column(Text)  # the section's question words
    body_tokens: Mapped[str] = mapped_column(Text)
    search_vector: Mapped[str | None] = mapped_column(SearchVector)
    faq_id: Mapped[int | None] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"))


class GuideIndexState(Model):
    """What the index was built from: rebuilt when the catalogue or the FAQ changes."""

    __tablename__ = "guide_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
