"""Service tests: the use cases called directly, as the API and the console call them.

No HTTP here: each test builds its data with the factories, calls one service function
against the test database, and checks what a user would then find (state, timeline, inbox,
licence) — and that a refusal leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, Enterprise, OutboxMessage, TimelineEntry, User


@dataclass
class Firm:
    """An applicant who manages one enterprise in Tianjin's 和平区."""

    manager: User
    enterprise: Enterprise


@pytest.fixture
def firm(make) -> Firm:
    manager = make.applicant()
    return Firm(manager=manager, enterprise=make.enterprise(manager))


@contextmanager
def refused(code: str) -> Iterator[None]:
    """The block must be refused with the stable problem ``code`` the API would answer."""
    with pytest.raises(Exception) as caught:
        yield
    assert getattr(caught.value, "code", None) == code, repr(caught.value)
    db.session.rollback()


def timeline(application: Application) -> list[tuple[str, str | None, str, str]]:
    """(action, from_state, to_state, role) of every entry, oldest first."""
    entries = db.session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.application_id == application.id)
        .order_by(TimelineEntry.seq)
    )
    return [(e.action, e.from_state, e.to_state, e.role) for e in entries]


def inbox(user: User) -> list[str]:
    """Titles of the messages queued for ``user``, oldest first."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id)
    )
    return [message.title for message in messages]
