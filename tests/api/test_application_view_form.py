"""The status read sends ``application_view``'s dict without dumping it through the schema.

That is only right while the view is already what ``ApplicationSchema`` would produce: no field
outside the documented schema, no value the schema would change. These cases cover a draft
with gaps, cases under review and decided, as the applicant and as staff.
"""

from __future__ import annotations

import pytest

from app.schemas.application import ApplicationSchema


def assert_in_schema_form(body: dict) -> None:
    assert ApplicationSchema().dump(body) == body


def test_a_draft_with_gaps_is_sent_in_the_schema_form(client, make):
    user = make.applicant()
    auth = make.headers(user)
    draft = make.create_application(client, auth, make.enterprise(user).id, form={})

    body = client.get(f"/api/v1/applications/{draft['id']}", headers=auth).get_json()

    assert body["missing_materials"] and body["form_errors"]
    assert_in_schema_form(body)


@pytest.mark.parametrize("state", ["submitted", "under_review", "approved", "delivered"])
def test_cases_under_review_and_decided_are_sent_in_the_schema_form(client, make, state):
    clerk = make.staff("clerk")
    user = make.applicant()
    case = make.case_in_state(make.enterprise(user), state, clerk)
    url = f"/api/v1/applications/{case.id}"

    for auth in (make.headers(user), make.headers(clerk)):
        body = client.get(url, headers=auth).get_json()
        assert body["state"] == state
        assert_in_schema_form(body)
