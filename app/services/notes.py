"""Internal notes on a case (内部意见): written and read by the region's staff only.

A note lives in its own table and nowhere else: not in the timeline, the inbox, a notice or
an export, so no applicant-facing response can carry it. An applicant asking for the notes
of their own case is told the route does not exist (404), as for any object out of scope.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain import access
from app.domain.transaction import commit
from app.errors import NotFound, field_error
from app.extensions import db
from app.models import Application, CaseNote, User

MAX_NOTE_LENGTH = 2000


def _case_for_staff(user: User, application_id: int) -> Application:
    if not user.is_staff:
        raise NotFound("申请不存在", code="APPLICATION_NOT_FOUND")
    return access.get_application(user, application_id)


def add_note(user: User, application_id: int, body: str) -> CaseNote:
    """Keep a staff member's remark on the case."""
    application = _case_for_staff(user, application_id)
    text = (body or "").strip()
    if not text:
        raise field_error("body", "请填写内部意见", "NOTE_EMPTY")
    if len(text) > MAX_NOTE_LENGTH:
        raise field_error("body", f"内部意见不能超过{MAX_NOTE_LENGTH}字", "NOTE_TOO_LONG")
    note = CaseNote(application_id=application.id, author_id=user.id, body=text)
    db.session.add(note)
    commit()
    return note


def list_notes(user: User, application_id: int) -> list[CaseNote]:
    """The case's notes, oldest first."""
    application = _case_for_staff(user, application_id)
    return list(
        db.session.scalars(
            select(CaseNote).where(CaseNote.application_id == application.id).order_by(CaseNote.id)
        )
    )
