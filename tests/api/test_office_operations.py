"""Office operations (承办): owners, hand-overs, the assignee rule, deputies, automatic
assignment, urging, bulk hand-overs and labels — as the office's staff would notice them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import timekeeping
from app.extensions import db
from app.models import Application, OutboxMessage, TimelineEntry
from tests.console.conftest import console_login


def _case(make, state: str = "under_review", region: str = "120101"):
    owner = make.applicant()
    return make.case_in_state(make.enterprise(owner, region=region), state, owner), owner


def _view(client, auth, case_id: int) -> dict:
    return client.get(f"/api/v1/applications/{case_id}", headers=auth).get_json()


def _act(client, auth, case_id: int, action: str, **fields):
    view = _view(client, auth, case_id)
    body = {"action": action, "version": view["version"], **fields}
    return client.post(f"/api/v1/applications/{case_id}/actions", json=body, headers=auth)


def _messages_to(user) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))


def test_a_chief_assigns_and_staff_see_the_assignee_but_the_applicant_does_not(client, make):
    chief = make.staff("chief", "120000", username="科长张")
    reviewer = make.staff("reviewer", "120000", username="审查员王")
    case, owner = _case(make)

    response = _act(client, make.headers(chief), case.id, "assign", assignee_id=reviewer.id)

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["assignee"] == {"id": reviewer.id, "name": "审查员王"}
    assert response.get_json()["state"] == "under_review"  # the state does not move
    staff_timeline = client.get(
        f"/api/v1/applications/{case.id}/timeline", headers=make.headers(reviewer)
    ).get_json()["items"]
    entry = staff_timeline[-1]
    assert (entry["action"], entry["from_state"], entry["to_state"]) == (
        "assign",
        "under_review",
        "under_review",
    )
    applicant = make.headers(owner)
    assert "assignee" not in _view(client, applicant, case.id)
    applicant_timeline = client.get(
        f"/api/v1/applications/{case.id}/timeline", headers=applicant
    ).get_json()["items"]
    assert all(e["action"] != "assign" for e in applicant_timeline)
    assert [m.title for m in _messages_to(reviewer)] == ["新的承办案件"]


def test_the_case_view_names_the_assignee_to_every_staff_reader(client, make):
    """The status read loads the assignee on first use (only staff views name it): the
    assignee reading their own case, and a colleague, both see them."""
    chief = make.staff("chief", "120000", username="科长张")
    reviewer = make.staff("reviewer", "120000", username="审查员王")
    case, owner = _case(make)
    assigned = _act(client, make.headers(chief), case.id, "assign", assignee_id=reviewer.id)
    assert assigned.status_code == 200, assigned.get_json()

    named = {"id": reviewer.id, "name": "审查员王"}
    readers = [make.headers(reviewer), make.headers(chief)]
    applicant, case_id = make.headers(owner), case.id
    for auth in readers:
        db.session.remove()  # nothing from an earlier read's identity map
        assert _view(client, auth, case_id)["assignee"] == named
    db.session.remove()
    assert "assignee" not in _view(client, applicant, case_id)


@pytest.mark.parametrize(
    ("roles", "offered"),
    [(["chief"], {"assign"}), (["reviewer"], {"claim"}), (["approver"], set())],
)
def test_an_unassigned_case_offers_assign_to_chiefs_and_claim_to_reviewers(
    client, make, roles, offered
):
    case, _ = _case(make)
    actions = set(_view(client, make.headers(make.staff(roles, "120000")), case.id)["actions"])
    assert actions & {"assign", "claim", "transfer"} == offered


def test_a_reviewer_claims_once_and_a_second_claim_names_the_owner(client, make):
    first = make.staff("reviewer", "120000", username="审查员甲")
    second = make.staff("reviewer", "120000", username="审查员乙")
    case, _ = _case(make)

    assert _act(client, make.headers(first), case.id, "claim").status_code == 200
    refused = _act(client, make.headers(second), case.id, "claim")

    assert refused.status_code == 409
    assert refused.get_json()["code"] == "CASE_ALREADY_ASSIGNED"
    assert "审查员甲" in refused.get_json()["detail"]


def test_only_the_assignee_takes_the_reviewers_steps_others_get_409_naming_them(client, make):
    owner_reviewer = make.staff("reviewer", "120000", username="审查员甲")
    other = make.staff("reviewer", "120000", username="审查员乙")
    chief_reviewer = make.staff(["chief", "reviewer"], "120000")
    case, _ = _case(make)
    assert _act(client, make.headers(owner_reviewer), case.id, "claim").status_code == 200

    other_view = _view(client, make.headers(other), case.id)
    assert "recommend" not in other_view["actions"]
    assert "transfer" not in other_view["actions"]
    refused = _act(client, make.headers(other), case.id, "recommend", recommendation="approve")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "CASE_ASSIGNED_TO_OTHER"
    assert "审查员甲" in refused.get_json()["detail"]

    assert "recommend" in _view(client, make.headers(owner_reviewer), case.id)["actions"]
    done = _act(
        client, make.headers(chief_reviewer), case.id, "recommend", recommendation="approve"
    )
    assert done.status_code == 200


def test_transfer_needs_a_reason_and_the_owners_side(client, make):
    first = make.staff("reviewer", "120000")
    second = make.staff("reviewer", "120000", username="审查员乙")
    third = make.staff("reviewer", "120000")
    case, _ = _case(make)
    _act(client, make.headers(first), case.id, "claim")

    no_reason = _act(client, make.headers(first), case.id, "transfer", assignee_id=second.id)
    assert no_reason.status_code == 422
    stranger = _act(
        client, make.headers(third), case.id, "transfer", assignee_id=third.id, comment="我来办"
    )
    assert stranger.status_code == 409
    moved = _act(
        client, make.headers(first), case.id, "transfer", assignee_id=second.id, comment="休假"
    )
    assert moved.status_code == 200
    assert moved.get_json()["assignee"]["name"] == "审查员乙"
    assert "transfer" in _view(client, make.headers(second), case.id)["actions"]


def test_someone_elses_region_is_404_and_an_assignee_must_be_a_reviewer_of_the_region(client, make):
    case, owner = _case(make)
    far_chief = make.staff("chief", "320000")
    far_reviewer = make.staff("reviewer", "320000")
    chief = make.headers(make.staff("chief", "120000"))

    body = {"action": "assign", "version": case.version, "assignee_id": far_reviewer.id}
    far = client.post(
        f"/api/v1/applications/{case.id}/actions", json=body, headers=make.headers(far_chief)
    )
    assert far.status_code == 404
    wrong = _act(client, chief, case.id, "assign", assignee_id=far_reviewer.id)
    assert wrong.status_code == 422
    assert wrong.get_json()["code"] == "ASSIGNEE_INVALID"
    approver = make.staff("approver", "120000")
    assert _act(client, chief, case.id, "assign", assignee_id=approver.id).status_code == 422
    view = _view(client, make.headers(owner), case.id)
    body = {"action": "assign", "version": view["version"], "assignee_id": approver.id}
    applicant = client.post(
        f"/api/v1/applications/{case.id}/actions", json=body, headers=make.headers(owner)
    )
    assert applicant.status_code == 403


def test_a_case_before_acceptance_has_no_owner_yet(client, make):
    case, _ = _case(make, state="submitted")
    chief = make.headers(make.staff("chief", "120000"))
    reviewer = make.staff("reviewer", "120000")
    refused = _act(client, chief, case.id, "assign", assignee_id=reviewer.id)
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "CASE_NOT_OPEN"


def test_the_queue_filters_by_assignee(client, make):
    chief = make.headers(make.staff("chief", "120000"))
    reviewer = make.staff("reviewer", "120000")
    mine, _ = _case(make)
    unassigned, _ = _case(make)
    _act(client, make.headers(reviewer), mine.id, "claim")

    def ids(auth, assignee):
        url = f"/api/v1/review/queue?assignee={assignee}"
        return {item["id"] for item in client.get(url, headers=auth).get_json()["items"]}

    assert ids(make.headers(reviewer), "me") == {mine.id}
    assert ids(chief, "none") == {unassigned.id}
    assert ids(chief, str(reviewer.id)) == {mine.id}
    bad = client.get("/api/v1/review/queue?assignee=everyone", headers=chief)
    assert bad.status_code == 422


def test_a_reviewers_default_queue_leaves_out_colleagues_cases_but_not_a_chiefs(app, client, make):
    me = make.staff("reviewer", "120000")
    colleague = make.staff("reviewer", "120000")
    away = make.staff("reviewer", "120000")
    chief = make.headers(make.staff("chief", "120000"))
    admin = make.headers(make.staff(["admin", "reviewer"], "120000"))
    mine, theirs, stood_in, unassigned = (_case(make)[0] for _ in range(4))
    _act(client, make.headers(me), mine.id, "claim")
    _act(client, make.headers(colleague), theirs.id, "claim")
    _act(client, make.headers(away), stood_in.id, "claim")
    today = timekeeping.today().isoformat()
    deputy = {"deputy_id": me.id, "starts_on": today, "ends_on": today}
    added = client.post(
        f"/api/v1/staff/{away.id}/deputies", json=deputy, headers=make.headers(away)
    )
    assert added.status_code == 201

    def ids(auth, query: str = ""):
        url = f"/api/v1/review/queue{query}"
        return {item["id"] for item in client.get(url, headers=auth).get_json()["items"]}

    everything = {mine.id, theirs.id, stood_in.id, unassigned.id}
    assert ids(make.headers(me)) == {mine.id, stood_in.id, unassigned.id}
    assert ids(make.headers(me), "?assignee=all") == everything
    assert ids(chief) == everything
    assert ids(admin) == everything
    page = console_login(app, me.username).get("/console/queue").get_data(as_text=True)
    assert f"/console/cases/{theirs.id}" not in page
    assert f"/console/cases/{unassigned.id}" in page


def test_a_deputy_acts_for_the_absent_assignee_only_within_the_dates(client, make):
    absent = make.staff("reviewer", "120000", username="审查员甲")
    deputy = make.staff("reviewer", "120000", username="审查员乙")
    case, owner = _case(make)
    _act(client, make.headers(absent), case.id, "claim")
    today = timekeeping.today()
    later = {
        "deputy_id": deputy.id,
        "starts_on": (today + timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(),
    }
    deputies = f"/api/v1/staff/{absent.id}/deputies"
    assert client.post(deputies, json=later, headers=make.headers(absent)).status_code == 201

    early = _act(client, make.headers(deputy), case.id, "recommend", recommendation="approve")
    assert early.status_code == 409  # not yet: the range starts tomorrow

    now = {**later, "starts_on": today.isoformat()}
    assert client.post(deputies, json=now, headers=make.headers(absent)).status_code == 201
    queue = client.get("/api/v1/review/queue?assignee=me", headers=make.headers(deputy))
    assert case.id in {item["id"] for item in queue.get_json()["items"]}
    done = _act(client, make.headers(deputy), case.id, "recommend", recommendation="approve")
    assert done.status_code == 200, done.get_json()
    last = client.get(
        f"/api/v1/applications/{case.id}/timeline", headers=make.headers(deputy)
    ).get_json()["items"][-1]
    assert last["action"] == "recommend"
    assert last["on_behalf_of"] == {"id": absent.id, "name": "审查员甲"}
    # The applicant sees the step, but not who stood in for whom.
    seen = client.get(
        f"/api/v1/applications/{case.id}/timeline", headers=make.headers(owner)
    ).get_json()["items"][-1]
    assert seen["action"] == "recommend" and "on_behalf_of" not in seen


def test_deputies_are_set_by_the_member_or_an_admin_of_the_region(client, make):
    member = make.staff("reviewer", "120000")
    colleague = make.staff("reviewer", "120000")
    admin = make.staff("admin", "120000")
    far_admin = make.staff("admin", "320000")
    today = timekeeping.today().isoformat()
    body = {"deputy_id": colleague.id, "starts_on": today, "ends_on": today}
    url = f"/api/v1/staff/{member.id}/deputies"

    assert client.post(url, json=body, headers=make.headers(colleague)).status_code == 403
    assert client.post(url, json=body, headers=make.headers(far_admin)).status_code == 404
    made = client.post(url, json=body, headers=make.headers(admin))
    assert made.status_code == 201
    assert made.get_json()["active"] is True
    self_deputy = {**body, "deputy_id": member.id}
    assert client.post(url, json=self_deputy, headers=make.headers(member)).status_code == 422
    listed = client.get(url, headers=make.headers(member)).get_json()["items"]
    assert [d["deputy"]["id"] for d in listed] == [colleague.id]


def _accept_three(client, make, clerk):
    ids = []
    for _ in range(3):
        case, _ = _case(make, state="submitted")
        assert _act(client, clerk, case.id, "accept").status_code == 200
        ids.append(case.id)
    return [db.session.get(Application, i).assignee_id for i in ids]


def test_least_loaded_spreads_accepted_cases_and_skips_absent_and_inactive_reviewers(client, make):
    admin = make.headers(make.staff("admin", "120000"))
    mode = {"region": "120000", "mode": "least_loaded"}
    assert client.put("/api/v1/office/assignment", json=mode, headers=admin).status_code == 200
    one, two, three = (make.staff("reviewer", "120000") for _ in range(3))
    away, gone = make.staff("reviewer", "120000"), make.staff("reviewer", "120000")
    gone.active = False
    db.session.commit()
    today = timekeeping.today().isoformat()
    leave = {"deputy_id": one.id, "starts_on": today, "ends_on": today}
    client.post(f"/api/v1/staff/{away.id}/deputies", json=leave, headers=admin)
    clerk = make.headers(make.staff("clerk", "120000"))

    assert sorted(_accept_three(client, make, clerk)) == sorted([one.id, two.id, three.id])
    assert len(set(_accept_three(client, make, clerk))) == 3


def test_manual_mode_leaves_accepted_cases_unassigned(client, make, runner):
    result = runner.invoke(
        args=["office", "set-assignment", "--region", "120000", "--mode", "manual"]
    )
    assert result.exit_code == 0, result.output
    make.staff("reviewer", "120000")
    clerk = make.headers(make.staff("clerk", "120000"))
    assert _accept_three(client, make, clerk) == [None, None, None]
    wrong = runner.invoke(args=["office", "set-assignment", "--region", "12", "--mode", "manual"])
    assert wrong.exit_code != 0


def test_urging_tells_the_assignee_and_stays_off_the_applicants_timeline(client, make):
    reviewer = make.staff("reviewer", "120000")
    chief = make.headers(make.staff("chief", "120000"))
    case, owner = _case(make)
    url = f"/api/v1/applications/{case.id}/urge"

    assert client.post(url, json={"comment": "请加快"}, headers=chief).status_code == 409
    _act(client, make.headers(reviewer), case.id, "claim")
    other = make.headers(make.staff("reviewer", "120000"))
    assert client.post(url, json={}, headers=other).status_code == 403
    assert client.post(url, json={"comment": "请加快"}, headers=chief).status_code == 200

    assert [m.topic for m in _messages_to(reviewer)] == ["urge"]
    timeline = client.get(
        f"/api/v1/applications/{case.id}/timeline", headers=make.headers(owner)
    ).get_json()["items"]
    assert all(e["action"] != "urge" for e in timeline)


def test_bulk_assign_reports_each_id_and_one_bad_id_undoes_nothing(client, make):
    chief = make.headers(make.staff("chief", "120000"))
    reviewer = make.staff("reviewer", "120000")
    first, _ = _case(make)
    second, _ = _case(make)
    foreign, _ = _case(make, region="320101")
    body = {
        "action": "assign",
        "ids": [first.id, foreign.id, second.id, 987654],
        "assignee_id": reviewer.id,
    }

    response = client.post("/api/v1/review/bulk", json=body, headers=chief)

    assert response.status_code == 200
    results = {r["id"]: r for r in response.get_json()["results"]}
    assert results[first.id]["ok"] and results[second.id]["ok"]
    assert results[foreign.id]["error"]["code"] == "APPLICATION_NOT_FOUND"
    assert results[987654]["error"]["code"] == "APPLICATION_NOT_FOUND"
    assert response.get_json()["succeeded"] == 2
    assert db.session.get(Application, second.id).assignee_id == reviewer.id
    again = client.post("/api/v1/review/bulk", json=body, headers=chief).get_json()
    assert again["results"][0]["error"]["code"] == "CASE_ALREADY_ASSIGNED"


def test_labels_print_many_shipped_cases_in_one_pdf(client, make, office, drive, approved):
    dispatcher = office["dispatcher"]
    shipped = drive(approved, ("dispatcher", "dispatch", {"carrier": "ems", "tracking_no": "E1"}))
    case, _ = _case(make, state="dispatched")
    url = f"/api/v1/review/labels.pdf?ids={shipped['id']},{shipped['id']}"

    response = client.get(url, headers=dispatcher)
    assert response.status_code == 200
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1  # repeated ids print once
    unshipped = client.get(
        f"/api/v1/review/labels.pdf?ids={shipped['id']},{case.id}", headers=dispatcher
    )
    assert unshipped.status_code == 404
    assert client.get(url, headers=office["reviewer"]).status_code == 403


def test_office_actions_are_recorded_on_the_staff_timeline_with_their_roles(client, make):
    chief = make.staff("chief", "120000")
    reviewer = make.staff("reviewer", "120000")
    case, _ = _case(make)
    _act(client, make.headers(chief), case.id, "assign", assignee_id=reviewer.id)
    entry = db.session.scalars(
        select(TimelineEntry).where(TimelineEntry.application_id == case.id)
    ).all()[-1]
    assert (entry.role, entry.data["assignee_id"]) == ("chief", reviewer.id)
