"""ID numbers are stored as the standard writes them (upper-case check character X)."""

from __future__ import annotations

from app.extensions import db
from app.models import Application

WITH_X = "11010519800101106X"


def test_a_lower_case_x_is_stored_upper_case(client, make):
    user = make.applicant()
    auth = make.headers(user)
    form = make.example_form("special-operations", "new")
    form["worker_id_number"] = " " + WITH_X.lower() + " "
    body = make.application_body(make.enterprise(user).id, "special-operations", form=form)
    response = client.post("/api/v1/applications", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    stored = db.session.get(Application, response.get_json()["id"])
    assert stored.form["worker_id_number"] == WITH_X
    patched_form = dict(form, worker_id_number=WITH_X.lower())
    patch = client.patch(
        f"/api/v1/applications/{stored.id}",
        json={"version": response.get_json()["version"], "form": patched_form},
        headers=auth,
    )
    assert patch.status_code == 200, patch.get_json()
    db.session.expire_all()
    assert db.session.get(Application, stored.id).form["worker_id_number"] == WITH_X
