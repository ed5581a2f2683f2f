"""What a person reads: materials by name, times with +08:00, a double tap explained."""

from __future__ import annotations

from app.jobs import outbox_delivery


def test_a_supplement_notice_names_the_materials_in_chinese(client, office, submitted, drive):
    material = submitted["materials"][0]
    view = drive(
        submitted,
        (
            "clerk",
            "request_supplement",
            {"missing_materials": [material["code"]], "comment": "扫描件不清晰"},
        ),
    )
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    notice = next(i for i in inbox["items"] if i["title"] == "请补正材料")
    assert material["name"] in notice["body"] and "扫描件不清晰" in notice["body"]
    assert material["code"] not in notice["body"]
    assert view["supplement_request"]["requested_at"].endswith("+08:00")


def test_an_upload_answers_the_applications_new_version(client, make, office):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    material = view["materials"][0]["code"]
    response = make.upload(client, office.applicant, view["id"], material)
    assert response.status_code == 201
    version = response.get_json()["application_version"]
    after = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert version == after["version"] > view["version"]
    patched = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": view["form"], "version": version},
        headers=office.applicant,
    )
    assert patched.status_code == 200


def test_a_double_tap_says_the_action_was_already_taken(frozen_now, client, make, office):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    first = make.act(client, office.applicant, view, "submit")
    assert first.status_code == 200
    second = make.act(client, office.applicant, view, "submit")
    assert second.status_code == 409
    problem = second.get_json()
    assert problem["code"] == "ACTION_ALREADY_TAKEN"
    assert problem["detail"].startswith("您已于11月23日 10:00执行过“")
    assert "数据已被他人修改" not in problem["detail"]
    assert first.get_json()["state_label"] in problem["detail"]


def test_a_stale_version_after_someone_elses_step_is_still_a_version_conflict(
    client, make, office, submitted
):
    stale = dict(submitted)
    accepted = make.act(client, office["clerk"], submitted, "accept")
    assert accepted.status_code == 200
    again = make.act(client, office["clerk"], stale, "accept")
    assert again.get_json()["code"] == "ACTION_ALREADY_TAKEN"
    withdraw = make.act(client, office.applicant, stale, "withdraw", comment="不办了")
    assert withdraw.status_code == 409 and withdraw.get_json()["code"] == "VERSION_CONFLICT"
