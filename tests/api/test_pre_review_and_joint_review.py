"""Pre-review (先期预审) before filing, and joint review (联合审查) by several units."""

from __future__ import annotations


def test_a_pre_review_round_trip_starts_no_clock(client, make, office, drive, frozen_now):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    assert "request_pre_review" in view["actions"]
    view = drive(view, ("applicant", "request_pre_review"))
    assert (view["state"], view["state_label"]) == ("pre_review", "预审中")
    assert view["deadline"] is None and view["submitted_at"] is None
    inbox = client.get("/api/v1/review/queue?state=pre_review", headers=office["clerk"]).get_json()
    assert [item["id"] for item in inbox["items"]] == [view["id"]]
    refused = make.act(client, office.applicant, view, "submit")
    assert refused.status_code == 409
    material = view["materials"][0]["code"]
    unknown = make.act(
        client,
        office["clerk"],
        view,
        "return_pre_review",
        comment="请修改",
        material_comments={"no_such_material": "?"},
    )
    assert unknown.status_code == 422
    no_comment = make.act(client, office["clerk"], view, "return_pre_review")
    assert no_comment.status_code == 422, no_comment.get_json()
    view = drive(
        view,
        (
            "clerk",
            "return_pre_review",
            {"comment": "材料基本齐全，个别需修改", "material_comments": {material: "缺少签章页"}},
        ),
    )
    assert view["state"] == "draft" and view["deadline"] is None
    shown = {m["code"]: m["pre_review_comment"] for m in view["materials"]}
    assert shown[material] == "缺少签章页"
    assert all(comment is None for code, comment in shown.items() if code != material)
    assert view["pre_review"]["comment"] == "材料基本齐全，个别需修改"
    timeline = client.get(
        f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    assert [e["action"] for e in timeline] == ["create", "request_pre_review", "return_pre_review"]
    view = drive(view, ("applicant", "submit"))
    assert view["state"] == "submitted" and view["deadline"]["kind"] == "acceptance"


def test_only_the_applicant_asks_for_pre_review_and_only_a_clerk_returns_it(
    client, make, office, drive
):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    assert make.act(client, office["clerk"], view, "request_pre_review").status_code == 403
    view = drive(view, ("applicant", "request_pre_review"))
    denied = make.act(client, office["reviewer"], view, "return_pre_review", comment="x")
    assert denied.status_code == 403


def under_review(make, office, drive, client):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    return drive(view, ("applicant", "submit"), ("clerk", "accept"), ("reviewer", "start_review"))


def test_a_joint_review_returns_to_review_after_the_last_opinion(
    client, make, office, drive, frozen_now
):
    view = under_review(make, office, drive, client)
    district = make.headers(make.staff("reviewer", "120101"))
    city = make.headers(make.staff("reviewer", "120100"))
    bad = make.act(client, office["reviewer"], view, "open_joint_review", units=["320000"])
    assert bad.status_code == 422 and bad.get_json()["code"] == "JOINT_REVIEW_UNIT_INVALID"
    view = drive(
        view,
        ("reviewer", "open_joint_review", {"units": ["120000", "120100", "120101"]}),
    )
    assert view["state"] == "joint_review"
    assert view["joint_review"]["units"] == ["120000", "120100", "120101"]
    sees = client.get(f"/api/v1/applications/{view['id']}", headers=district).get_json()
    assert "give_opinion" in sees["actions"]
    first = make.act(client, district, view, "give_opinion", opinion="agree", comment="同意")
    assert first.status_code == 200 and first.get_json()["state"] == "joint_review"
    view = first.get_json()
    twice = make.act(client, district, view, "give_opinion", opinion="agree")
    assert twice.status_code == 409 and twice.get_json()["code"] == "OPINION_ALREADY_GIVEN"
    view = make.act(
        client, city, view, "give_opinion", opinion="disagree", comment="通风系统资料不全"
    ).get_json()
    assert view["state"] == "joint_review"
    last = make.act(client, office["reviewer"], view, "give_opinion", opinion="agree")
    assert last.status_code == 200
    view = last.get_json()
    assert view["state"] == "under_review"
    opinions = view["joint_review"]["opinions"]
    assert {unit: o["opinion"] for unit, o in opinions.items()} == {
        "120000": "agree",
        "120100": "disagree",
        "120101": "agree",
    }
    timeline = client.get(
        f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    assert [e["action"] for e in timeline[-5:]] == [
        "open_joint_review",
        "give_opinion",
        "give_opinion",
        "give_opinion",
        "close_joint_review",
    ]
    assert timeline[-1]["role"] == "system"
    assert "通风系统资料不全" in [e["comment"] for e in timeline]


def test_a_reviewer_outside_the_units_cannot_give_an_opinion(client, make, office, drive):
    view = under_review(make, office, drive, client)
    view = drive(view, ("reviewer", "open_joint_review", {"units": ["120101"]}))
    sees = client.get(f"/api/v1/applications/{view['id']}", headers=office["reviewer"]).get_json()
    assert "give_opinion" not in sees["actions"]
    response = make.act(client, office["reviewer"], view, "give_opinion", opinion="agree")
    assert response.status_code == 409
    assert response.get_json()["code"] == "NOT_A_JOINT_REVIEW_UNIT"
    other = make.headers(make.staff("reviewer", "120103"))
    assert make.act(client, other, view, "give_opinion", opinion="agree").status_code == 404


def test_a_unit_reviewer_gives_the_opinion_on_a_case_a_colleague_owns(client, make, office, drive):
    view = under_review(make, office, drive, client)
    view = make.act(client, office["reviewer"], view, "claim").get_json()
    assert view["assignee"] is not None
    view = drive(view, ("reviewer", "open_joint_review", {"units": ["120100", "120101"]}))
    district = make.headers(make.staff("reviewer", "120101"))

    queue = client.get("/api/v1/review/queue", headers=district).get_json()["items"]
    assert view["id"] in {item["id"] for item in queue}
    sees = client.get(f"/api/v1/applications/{view['id']}", headers=district).get_json()
    assert "give_opinion" in sees["actions"]
    given = make.act(client, district, view, "give_opinion", opinion="agree", comment="同意")
    assert given.status_code == 200, given.get_json()
    assert given.get_json()["joint_review"]["opinions"]["120101"]["opinion"] == "agree"
