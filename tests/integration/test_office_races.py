"""Racing hand-overs on PostgreSQL: two chiefs assigning one case, eight accepts at once
under ``least_loaded`` (real concurrent requests, each on its own connection)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Application, RegionAssignment, TimelineEntry

pytestmark = pytest.mark.skipif(
    "postgresql" not in (os.environ.get("TEST_DATABASE_URL") or ""),
    reason="row locks and true concurrency need PostgreSQL (TEST_DATABASE_URL)",
)


def _post_together(app, calls: list[tuple[dict, int, dict]]) -> list[tuple[int, dict]]:
    """Send every call at the same moment (a barrier), each from its own thread."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        headers, application_id, body = call
        with app.test_client() as client:
            barrier.wait()
            response = client.post(
                f"/api/v1/applications/{application_id}/actions", json=body, headers=headers
            )
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def _assign_entries(application_id: int) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.application_id == application_id, TimelineEntry.action == "assign")
            .order_by(TimelineEntry.id)
        )
    )


@pytest.mark.parametrize("with_version", [True, False])
def test_two_chiefs_assigning_at_once_leave_one_assignee_and_one_409(app, make, with_version):
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "under_review", owner)
    first, second = make.staff("reviewer", "120000"), make.staff("reviewer", "120000")
    chiefs = [make.headers(make.staff("chief", "120000")) for _ in range(2)]
    version = {"version": case.version} if with_version else {}
    calls = [
        (chiefs[0], case.id, {"action": "assign", "assignee_id": first.id, **version}),
        (chiefs[1], case.id, {"action": "assign", "assignee_id": second.id, **version}),
    ]

    answers = _post_together(app, calls)

    assert sorted(status for status, _ in answers) == [200, 409]
    winner = next(body for status, body in answers if status == 200)
    db.session.expire_all()
    stored = db.session.get(Application, case.id)
    assert stored.assignee_id == winner["assignee"]["id"]
    assert len(_assign_entries(case.id)) == 1


def test_least_loaded_spreads_eight_concurrent_accepts_evenly(app, make):
    db.session.add(RegionAssignment(region_code="120000", mode="least_loaded"))
    db.session.commit()
    reviewers = [make.staff("reviewer", "120000") for _ in range(4)]
    clerk = make.headers(make.staff("clerk", "120000"))
    owner = make.applicant()
    firm = make.enterprise(owner)
    cases = [make.case_in_state(firm, "submitted", owner) for _ in range(8)]
    calls = [(clerk, c.id, {"action": "accept", "version": c.version}) for c in cases]

    answers = _post_together(app, calls)

    assert [status for status, _ in answers] == [200] * 8, answers
    db.session.expire_all()
    loads = Counter(db.session.get(Application, c.id).assignee_id for c in cases)
    assert loads == Counter({r.id: 2 for r in reviewers})
    # In the order the choices were made (each under the region's lock), nobody got a
    # second case before everyone had a first.
    entries = list(
        db.session.scalars(
            select(TimelineEntry).where(TimelineEntry.action == "assign").order_by(TimelineEntry.id)
        )
    )
    first_round = [e.data["assignee_id"] for e in entries[:4]]
    assert sorted(first_round) == sorted(r.id for r in reviewers)
