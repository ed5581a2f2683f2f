"""Partial drafts: a phone keeps half a form; submission needs it complete (contract v1.1)."""

from __future__ import annotations


def _create(client, make, office, form: dict):
    body = make.application_body(office.enterprise_id, form=form)
    return client.post("/api/v1/applications", json=body, headers=office.applicant)


def test_a_draft_with_an_empty_form_is_saved_and_lists_what_is_missing(client, make, office):
    response = _create(client, make, office, {})
    assert response.status_code == 201, response.get_json()
    view = response.get_json()
    assert view["state"] == "draft"
    assert view["form_errors"]["form.business_premises"] == ["请填写经营场所地址"]
    assert all(key.startswith("form.") for key in view["form_errors"])
    assert "submit" not in view["actions"]


def test_submitting_an_incomplete_draft_answers_form_incomplete(client, make, office):
    view = _create(client, make, office, {}).get_json()
    response = make.act(client, office.applicant, view, "submit")
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["code"] == "FORM_INCOMPLETE"
    assert problem["errors"] == view["form_errors"]
    assert "表单" in problem["detail"]
    after = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant)
    assert after.get_json()["state"] == "draft"


def test_a_draft_still_refuses_a_wrong_type_or_format(client, make, office):
    response = _create(client, make, office, {"has_storage": "maybe", "chemicals": "x"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"form.has_storage", "form.chemicals"}


def test_patching_fills_the_form_in_steps_until_it_can_be_submitted(client, make, office):
    complete = make.example_form()
    view = _create(client, make, office, {}).get_json()
    half = {k: v for i, (k, v) in enumerate(complete.items()) if i % 2 == 0}
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": half, "version": view["version"]},
        headers=office.applicant,
    )
    assert response.status_code == 200, response.get_json()
    view = response.get_json()
    assert view["form_errors"] and not set(half) & {
        k.removeprefix("form.") for k in view["form_errors"]
    }
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": complete, "version": view["version"]},
        headers=office.applicant,
    )
    view = make.upload_required(client, office.applicant, response.get_json())
    assert view["form_errors"] == {} and "submit" in view["actions"]
    assert make.act(client, office.applicant, view, "submit").status_code == 200


def test_a_patch_with_a_bad_value_changes_nothing(client, make, office):
    view = _create(client, make, office, {}).get_json()
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": {"has_storage": 3}, "version": view["version"]},
        headers=office.applicant,
    )
    assert response.status_code == 422
    again = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert again["form"] == {} and again["version"] == view["version"]


def test_resubmit_needs_a_complete_form_too(client, make, office, submitted, drive):
    view = drive(
        submitted,
        (
            "clerk",
            "request_supplement",
            {"missing_materials": [submitted["materials"][0]["code"]], "comment": "请补正"},
        ),
    )
    form = dict(view["form"])
    form["business_premises"] = ""
    patched = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": form, "version": view["version"]},
        headers=office.applicant,
    ).get_json()
    assert "form.business_premises" in patched["form_errors"]
    response = make.act(client, office.applicant, patched, "resubmit")
    assert response.status_code == 409 and response.get_json()["code"] == "FORM_INCOMPLETE"
