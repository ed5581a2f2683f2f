"""Racing requests on PostgreSQL: one action applies once; numbers have no gaps or duplicates."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Licence, TimelineEntry

pytestmark = pytest.mark.skipif(
    "postgresql" not in (__import__("os").environ.get("TEST_DATABASE_URL") or ""),
    reason="row locks and true concurrency need PostgreSQL (TEST_DATABASE_URL)",
)


def _post_action(app, headers, application_id, body):
    with app.test_client() as client:
        return client.post(
            f"/api/v1/applications/{application_id}/actions", json=body, headers=headers
        ).status_code


def test_racing_the_same_action_applies_exactly_once(app, make):
    clerk = make.staff("clerk", "120000")
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "submitted", owner)
    headers = make.headers(clerk)
    body = {"action": "accept", "version": case.version}
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: _post_action(app, headers, case.id, body), range(8)))
    assert statuses.count(200) == 1
    assert set(statuses) == {200, 409}
    entries = db.session.scalars(
        select(TimelineEntry).where(
            TimelineEntry.application_id == case.id, TimelineEntry.action == "accept"
        )
    ).all()
    assert len(entries) == 1


def test_200_concurrent_approvals_get_200_consecutive_numbers(app, make):
    approver = make.staff("approver", "120000")
    owner = make.applicant()
    firm = make.enterprise(owner)
    cases = [
        make.case_in_state(firm, "pending_decision", owner, recommendation="approve")
        for _ in range(200)
    ]
    headers = make.headers(approver)
    jobs = [(c.id, {"action": "approve", "version": c.version}) for c in cases]
    # Fewer workers than pooled connections (5 + 10 overflow): each approval renders and signs
    # its PDF while holding the issuer's sequence row, so waiters queue on that lock in
    # PostgreSQL rather than time out waiting for a connection.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: _post_action(app, headers, *job), jobs))
    assert statuses == [200] * 200
    db.session.expire_all()
    numbers = db.session.scalars(select(Licence.number)).all()
    serials = sorted(int(re.search(r"(\d+)$", n).group(1)) for n in numbers)
    assert serials == list(range(1, 201))
