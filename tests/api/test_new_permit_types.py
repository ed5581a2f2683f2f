"""The four permit types added with the seeds' service modes, each from draft to a licence."""

from __future__ import annotations

import pytest

from tests.conftest import verify_all

NEW_TYPES = {
    "coal-mine-safety": "（津）MK安许证字〔2026〕",
    "non-coal-mine-safety": "（津）FM安许证字〔2026〕",
    "precursor-chemicals-trading": "（津）1J〔2026〕",
    "fireworks-retail": "（津）LS〔2026〕",
}


@pytest.mark.parametrize("code", sorted(NEW_TYPES))
def test_new_type_is_in_the_catalogue_with_its_guide(client, code):
    detail = client.get(f"/api/v1/permit-types/{code}").get_json()
    assert detail["code"] == code
    assert detail["materials"] and detail["guide"]
    assert "new" in detail["form_schema"]


@pytest.mark.parametrize("code", sorted(NEW_TYPES))
def test_new_type_goes_from_draft_to_an_issued_licence(client, make, office, drive, code):
    view = make.create_application(client, office.applicant, office.enterprise_id, permit_type=code)
    assert view["state"] == "draft"
    view = make.upload_required(client, office.applicant, view)
    view = drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
    )
    assert view["state"] == "approved"
    licence = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant
    ).get_json()
    assert licence["permit_type"] == code
    assert licence["number"].startswith(NEW_TYPES[code])
    pdf = client.get(f"/api/v1/licences/{licence['id']}/pdf", headers=office.applicant)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
