"""The applicant's path: draft, edit, list, show, submit, withdraw; and who may see what."""

from __future__ import annotations

import pytest


@pytest.fixture
def applicant(make):
    user = make.applicant()
    return user, make.headers(user), make.enterprise(user)


def test_create_shows_materials_missing_and_actions(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    assert view["state"] == "draft" and view["state_label"]
    assert view["number"].startswith("ZV")
    assert view["enterprise"]["id"] == firm.id
    assert view["version"] >= 1
    required = [m for m in view["materials"] if m["required"]]
    assert required and all(m["status"] in ("missing", "deferred") for m in required)
    assert {m["code"] for m in view["missing_materials"]} == {m["code"] for m in required}
    assert "withdraw" in view["actions"] and "submit" not in view["actions"]
    assert view["deadline"] is None


def test_storage_materials_follow_the_form(client, make, applicant):
    _, auth, firm = applicant
    form = make.example_form()
    form["has_storage"] = False
    without = make.create_application(client, auth, firm.id, form=form)
    form["has_storage"] = True
    with_storage = make.create_application(client, auth, firm.id, form=form)
    assert len(with_storage["materials"]) > len(without["materials"])


def test_invalid_form_reports_field_paths_in_chinese(client, make, applicant):
    _, auth, firm = applicant
    form = make.example_form()
    form["has_storage"] = "maybe"
    response = client.post(
        "/api/v1/applications", json=make.application_body(firm.id, form=form), headers=auth
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert "form.has_storage" in errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors["form.has_storage"])


def test_bad_delivery_phone_is_refused(client, make, applicant):
    _, auth, firm = applicant
    body = make.application_body(
        firm.id, delivery={"recipient": "李四", "phone": "12", "address": "x"}
    )
    response = client.post("/api/v1/applications", json=body, headers=auth)
    assert response.status_code == 422
    assert "delivery.phone" in response.get_json()["errors"]


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"permit_type": "no-such-permit"}, "PERMIT_TYPE_UNKNOWN"),
        ({"kind": "renewal"}, "LICENCE_REQUIRED"),
    ],
)
def test_create_refusals(client, make, applicant, override, code):
    _, auth, firm = applicant
    response = client.post(
        "/api/v1/applications", json=make.application_body(firm.id, **override), headers=auth
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == code


def test_cannot_apply_for_someone_elses_enterprise(client, make, applicant):
    _, auth, _ = applicant
    other = make.enterprise(make.applicant())
    response = client.post(
        "/api/v1/applications", json=make.application_body(other.id), headers=auth
    )
    assert response.status_code == 404


def test_patch_checks_version_and_state(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    form = dict(view["form"], business_premises="天津市和平区新地址2号")
    stale = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": form, "version": view["version"] + 5},
        headers=auth,
    )
    assert stale.status_code == 409 and stale.get_json()["code"] == "VERSION_CONFLICT"
    updated = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": form},
        headers={**auth, "If-Match": str(view["version"])},
    )
    assert updated.status_code == 200, updated.get_json()
    assert updated.get_json()["form"]["business_premises"] == "天津市和平区新地址2号"
    assert updated.get_json()["version"] > view["version"]
    missing_version = client.patch(
        f"/api/v1/applications/{view['id']}", json={"form": form}, headers=auth
    )
    assert missing_version.status_code == 422


def test_submit_needs_every_required_material(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    refused = make.act(client, auth, view, "submit")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "MATERIALS_MISSING"
    names = [m["name"] for m in view["missing_materials"] if not m["deferrable"]]
    assert refused.get_json()["detail"] == f"以下材料尚未上传：{'、'.join(names)}"
    assert not any(m["code"] in refused.get_json()["detail"] for m in view["missing_materials"])
    view = make.upload_required(client, auth, view)
    assert "submit" in view["actions"]
    submitted = make.act(client, auth, view, "submit")
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["state"] == "submitted"
    assert body["deadline"]["kind"] == "acceptance"
    assert body["deadline"]["working_days_left"] == 5
    assert body["actions"] == ["withdraw"]


def test_deferrable_materials_may_follow_later(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    view = make.upload_required(client, auth, view, include_deferrable=False)
    deferred = [m for m in view["materials"] if m["status"] == "deferred"]
    assert deferred, "the catalogue marks at least one material deferrable"
    assert make.act(client, auth, view, "submit").status_code == 200


def test_patch_after_submit_is_refused(client, make, applicant):
    _, auth, firm = applicant
    view = make.upload_required(client, auth, make.create_application(client, auth, firm.id))
    view = make.act(client, auth, view, "submit").get_json()
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": view["form"], "version": view["version"]},
        headers=auth,
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "APPLICATION_NOT_EDITABLE"


def test_withdraw_ends_the_case(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    withdrawn = make.act(client, auth, view, "withdraw", comment="不再需要")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["state"] == "withdrawn"
    assert withdrawn.get_json()["actions"] == []
    again = make.act(client, auth, withdrawn.get_json(), "withdraw")
    assert again.status_code == 409


def test_list_is_paginated_filtered_and_scoped(client, make, applicant):
    _, auth, firm = applicant
    for _ in range(3):
        make.create_application(client, auth, firm.id)
    other_auth = make.headers(make.applicant())
    page = client.get("/api/v1/applications?page=1&page_size=2", headers=auth).get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["page_size"] == 2
    assert client.get("/api/v1/applications?state=submitted", headers=auth).get_json()["total"] == 0
    assert client.get("/api/v1/applications", headers=other_auth).get_json()["total"] == 0


def test_someone_elses_application_is_404_everywhere(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    stranger = make.headers(make.applicant())
    base = f"/api/v1/applications/{view['id']}"
    assert client.get(base, headers=stranger).status_code == 404
    assert client.get(base + "/timeline", headers=stranger).status_code == 404
    assert client.patch(base, json={"form": {}, "version": 1}, headers=stranger).status_code == 404
    assert make.act(client, stranger, view, "withdraw").status_code == 404
    assert make.upload(client, stranger, view["id"], "application_form").status_code == 404


def test_staff_outside_the_region_see_404(client, make, applicant):
    _, auth, firm = applicant
    view = make.create_application(client, auth, firm.id)
    elsewhere = make.headers(make.staff("clerk", "320000"))
    inside = make.headers(make.staff("clerk", "120000"))
    assert client.get(f"/api/v1/applications/{view['id']}", headers=elsewhere).status_code == 404
    assert client.get(f"/api/v1/applications/{view['id']}", headers=inside).status_code == 200


def test_timeline_records_each_step(client, make, applicant):
    _, auth, firm = applicant
    view = make.upload_required(client, auth, make.create_application(client, auth, firm.id))
    make.act(client, auth, view, "submit")
    entries = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=auth).get_json()[
        "items"
    ]
    assert [(e["seq"], e["action"], e["to_state"]) for e in entries] == [
        (1, "create", "draft"),
        (2, "submit", "submitted"),
    ]
    assert entries[1]["from_state"] == "draft" and entries[1]["role"] == "applicant"
    assert entries[1]["at"].endswith("+08:00")


def test_a_workers_id_number_and_phone_are_masked_and_survive_an_edit(client, make, applicant):
    _, auth, firm = applicant
    form = make.example_form("special-operations")
    view = make.create_application(
        client, auth, firm.id, permit_type="special-operations", form=form
    )
    shown = view["form"]
    assert (
        shown["worker_id_number"] != form["worker_id_number"] and "*" in shown["worker_id_number"]
    )
    assert (
        shown["worker_phone"].endswith(form["worker_phone"][-4:]) and "*" in shown["worker_phone"]
    )
    assert form["worker_id_number"] not in client.get(
        f"/api/v1/applications/{view['id']}", headers=auth
    ).get_data(as_text=True)
    # The phone sends back what it was shown; the stored values stay whole.
    edited = dict(shown, training_institution="天津市应急管理培训中心")
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": edited, "version": view["version"]},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    from app.extensions import db
    from app.models import Application

    stored = db.session.get(Application, view["id"])
    db.session.refresh(stored)
    assert stored.form["worker_id_number"] == form["worker_id_number"]
    assert stored.form["training_institution"] == "天津市应急管理培训中心"


def test_a_bad_id_number_check_digit_is_refused(client, make, applicant):
    _, auth, firm = applicant
    form = make.example_form("special-operations")
    good = form["worker_id_number"]
    form["worker_id_number"] = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = client.post(
        "/api/v1/applications",
        headers=auth,
        json=make.application_body(firm.id, permit_type="special-operations", form=form),
    )
    assert response.status_code == 422
    assert "form.worker_id_number" in response.get_json()["errors"]
