"""Numbers that two issuers could print alike come from one sequence, so they never collide.

Tianjin is a municipality: its province-level bureau and its city-level one are both
天津市应急管理局, so their notices share one sequence. A licence template that prints only
the province's abbreviation (（苏）PF〔…〕…) numbers the licences of all its cities in one
sequence.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Licence, Notice


def _act(client, auth, case, action: str, **fields):
    body = {"action": action, "version": case.version, **fields}
    return client.post(f"/api/v1/applications/{case.id}/actions", json=body, headers=auth)


def test_the_municipality_and_its_city_number_notices_without_collision(client, make):
    clerk = make.headers(make.staff("clerk", "120000"))
    owner = make.applicant()
    firm = make.enterprise(owner, region="120101")
    by_city = make.case_in_state(firm, "submitted", owner)  # hazchem-trading: the city's
    by_province = make.case_in_state(
        firm, "submitted", owner, permit_type="hazchem-production-safety"
    )

    for case in (by_city, by_province):
        accepted = _act(client, clerk, case, "accept")
        assert accepted.status_code == 200, accepted.get_json()

    numbers = list(db.session.scalars(select(Notice.number).where(Notice.kind == "acceptance")))
    assert len(numbers) == len(set(numbers)) == 2
    assert all(number.startswith("天津市应急管理局许受〔") for number in numbers)


@pytest.mark.parametrize("permit_type", ["fireworks-wholesale", "special-operations"])
def test_two_cities_of_a_province_issue_licences_without_collision(client, make, permit_type):
    approver = make.headers(make.staff("approver", "320000"))
    owner = make.applicant()
    for region in ("320102", "320583"):  # Nanjing, Kunshan (Suzhou)
        firm = make.enterprise(owner, region=region)
        case = make.case_in_state(
            firm, "pending_decision", owner, permit_type=permit_type, recommendation="approve"
        )
        approved = _act(client, approver, case, "approve")
        assert approved.status_code == 200, approved.get_json()

    numbers = list(db.session.scalars(select(Licence.number)))
    assert len(numbers) == len(set(numbers)) == 2
