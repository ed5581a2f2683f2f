"""查询留痕: every unmasked view of a person's data and every material download is recorded,
and an administrator finds the records (API, console, .xlsx)."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import PiiAccess
from tests.conftest import verify_all
from tests.console.conftest import console_login

AUDIT = "/api/v1/audit/pii-access"


@pytest.fixture
def worker_case(client, make, office, drive):
    """A special-operations case, submitted and accepted, with its form as sent."""
    form = make.example_form("special-operations")
    view = make.create_application(
        client, office.applicant, office.enterprise_id, permit_type="special-operations", form=form
    )
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    return view, form


def test_a_reviewers_view_and_download_are_found_by_the_admin(client, office, worker_case):
    view, form = worker_case
    reviewer = office["reviewer"]
    masked = client.get(f"/api/v1/applications/{view['id']}", headers=reviewer).get_json()
    assert form["worker_id_number"] not in str(masked)
    assert form["worker_phone"] not in str(masked) and "13912345678" not in str(masked)

    shown = client.get(
        f"/api/v1/applications/{view['id']}/personal-data",
        headers={**reviewer, "X-Request-ID": "req-view-1"},
    )
    assert shown.status_code == 200
    assert shown.get_json()["form"]["worker_id_number"] == form["worker_id_number"]
    assert shown.get_json()["delivery"]["phone"] == "13912345678"
    document = view["materials"][0]["documents"][0]
    download = client.get(
        f"/api/v1/applications/{view['id']}/documents/{document['id']}/content",
        headers={**reviewer, "X-Request-ID": "req-dl-1"},
    )
    assert download.status_code == 200
    download.close()

    page = client.get(AUDIT, query_string={"subject": view["number"]}, headers=office["admin"])
    assert page.status_code == 200, page.get_json()
    items = {item["request_id"]: item for item in page.get_json()["items"]}
    assert page.get_json()["total"] == 2
    reviewer_id = client.get("/api/v1/me", headers=reviewer).get_json()["id"]
    viewed, downloaded = items["req-view-1"], items["req-dl-1"]
    assert viewed["staff_id"] == downloaded["staff_id"] == reviewer_id
    assert viewed["subject"] == downloaded["subject"] == view["number"]
    assert viewed["fields"] == [
        "worker_id_number",
        "worker_phone",
        "delivery.phone",
        "delivery.address",
    ]
    assert viewed["route"] == f"/api/v1/applications/{view['id']}/personal-data"
    assert downloaded["fields"] == ["document"] and downloaded["document_id"] == document["id"]
    assert viewed["at"].endswith("+08:00")

    by_staff = client.get(AUDIT, query_string={"staff_id": reviewer_id}, headers=office["admin"])
    assert by_staff.get_json()["total"] == 2
    later = client.get(
        AUDIT, query_string={"from": "2026-11-24T00:00:00+08:00"}, headers=office["admin"]
    )
    assert later.get_json()["total"] == 0

    export = client.get(AUDIT, query_string={"format": "xlsx"}, headers=office["admin"])
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "时间" and len(rows) == 3
    assert {row[7] for row in rows[1:]} == {"req-view-1", "req-dl-1"}


def test_only_an_admin_reads_the_records_and_only_staff_see_data_in_full(
    client, make, office, worker_case
):
    view, _ = worker_case
    for role in ("applicant", "reviewer", "clerk"):
        assert client.get(AUDIT, headers=office[role]).status_code in (403, 404)
    personal = f"/api/v1/applications/{view['id']}/personal-data"
    assert client.get(personal, headers=office.applicant).status_code == 403
    elsewhere = make.headers(make.staff("reviewer", "130000"))
    assert client.get(personal, headers=elsewhere).status_code == 404
    bad = client.get(AUDIT, query_string={"from": "yesterday"}, headers=office["admin"])
    assert bad.status_code == 422
    assert db.session.query(PiiAccess).count() == 0


def test_the_record_stays_when_the_response_fails_afterwards(
    client, office, worker_case, monkeypatch
):
    view, _ = worker_case
    document = view["materials"][0]["documents"][0]

    def broken_send(*_args, **_kwargs):
        raise OSError("connection reset while sending")

    monkeypatch.setattr("app.api.documents.send_file", broken_send)
    response = client.get(
        f"/api/v1/applications/{view['id']}/documents/{document['id']}/content",
        headers={**office["reviewer"], "X-Request-ID": "req-broken"},
    )
    assert response.status_code == 500
    db.session.remove()
    record = db.session.query(PiiAccess).one()
    assert record.request_id == "req-broken" and record.document_id == document["id"]


def test_the_console_shows_data_in_full_records_it_and_lists_it(app, make, office, worker_case):
    view, form = worker_case
    make.staff("reviewer", username="console-reviewer")
    make.staff("admin", username="console-admin")
    reviewer = console_login(app, "console-reviewer")
    case_page = reviewer.get(f"/console/cases/{view['id']}").get_data(as_text=True)
    assert form["worker_id_number"] not in case_page and "查看完整个人信息" in case_page
    page = reviewer.get(f"/console/cases/{view['id']}/personal-data")
    assert page.status_code == 200 and form["worker_id_number"] in page.get_data(as_text=True)
    document = view["materials"][0]["documents"][0]
    shown_file = reviewer.get(f"/console/cases/{view['id']}/documents/{document['id']}")
    assert shown_file.status_code == 200 and shown_file.data.startswith(b"%PDF")
    shown_file.close()

    assert reviewer.get("/console/admin/pii-access").status_code == 403
    admin = console_login(app, "console-admin")
    listing = admin.get("/console/admin/pii-access", query_string={"subject": view["number"]})
    text = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "共 2 条" in text and "console-reviewer" in text
    assert f"/console/cases/{view['id']}/personal-data" in text
    export = admin.get("/console/admin/pii-access", query_string={"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_downloading_a_workers_certificate_is_recorded(client, office, drive, worker_case):
    view, form = worker_case
    view = drive(
        view,
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve", {"comment": "准予许可"}),
    )
    pdf = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}/pdf",
        headers={**office["reviewer"], "X-Request-ID": "req-licence"},
    )
    assert pdf.status_code == 200
    record = db.session.query(PiiAccess).filter_by(request_id="req-licence").one()
    assert record.fields == "licence.id_number" and record.subject == view["number"]
    ofd = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}/ofd",
        headers={**office["reviewer"], "X-Request-ID": "req-licence-ofd"},
    )
    assert ofd.status_code == 200  # the OFD prints the ID number too (and in its metadata)
    record = db.session.query(PiiAccess).filter_by(request_id="req-licence-ofd").one()
    assert record.fields == "licence.id_number" and record.subject == view["number"]
    with zipfile.ZipFile(io.BytesIO(ofd.data)) as package:
        metadata = package.read("OFD.xml").decode("utf-8")
    assert '<ofd:CustomData Name="持证主体代码类型">111</ofd:CustomData>' in metadata
