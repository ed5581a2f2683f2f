"""Internal notes never reach the applicant; deadline warnings go out once; a resubmitted
case says what changed; Excel exports carry the rows with personal data masked."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from app import timekeeping
from app.domain import clock
from app.extensions import db
from app.jobs import deadline_alerts, outbox_delivery
from app.models import Application, ExportRecord, OutboxMessage, User
from tests.conftest import verify_all

SECRET = "内部机密甲乙丙"


def _staff_user(make, role: str, region: str = "120000") -> tuple[User, dict]:
    user = make.staff(role, region)
    return user, make.headers(user)


def _applicant_sees(client, applicant: dict, case_id: int) -> list[str]:
    """Every applicant-facing text about the case: API responses, inbox, notices' PDFs."""
    texts = []
    for path in (
        f"/api/v1/applications/{case_id}",
        f"/api/v1/applications/{case_id}/timeline",
        f"/api/v1/applications/{case_id}/notices",
        f"/api/v1/applications/{case_id}/changes",
        "/api/v1/applications",
        "/api/v1/notifications",
        "/api/v1/licences",
    ):
        response = client.get(path, headers=applicant)
        assert response.status_code == 200, path
        texts.append(response.get_data(as_text=True))
    notices = client.get(f"/api/v1/applications/{case_id}/notices", headers=applicant)
    for notice in notices.get_json()["items"]:
        pdf = client.get(
            f"/api/v1/applications/{case_id}/notices/{notice['id']}/pdf", headers=applicant
        )
        texts.append("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    for licence in client.get("/api/v1/licences", headers=applicant).get_json()["items"]:
        texts.append(client.get(f"/api/v1/licences/{licence['id']}", headers=applicant).text)
    return texts


def test_a_note_never_reaches_the_applicant_anywhere(client, make, office, drive, submitted):
    chief_user, chief = _staff_user(make, "chief")
    owner_user, owner = _staff_user(make, "reviewer")
    second_user, _ = _staff_user(make, "reviewer")
    case_id = submitted["id"]
    view = drive(submitted, ("clerk", "accept"))
    notes = f"/api/v1/applications/{case_id}/notes"
    written = client.post(notes, json={"body": f"{SECRET}：企业储存设施存疑"}, headers=chief)
    assert written.status_code == 201
    assert written.get_json()["author"]["id"] == chief_user.id
    assign = {"action": "assign", "version": _version(client, chief, case_id)}
    client.post(
        f"/api/v1/applications/{case_id}/actions",
        json={**assign, "assignee_id": owner_user.id},
        headers=chief,
    )
    transfer = {"action": "transfer", "assignee_id": second_user.id, "comment": SECRET}
    transfer["version"] = _version(client, owner, case_id)
    moved = client.post(f"/api/v1/applications/{case_id}/actions", json=transfer, headers=owner)
    assert moved.status_code == 200
    urge = client.post(
        f"/api/v1/applications/{case_id}/urge", json={"comment": SECRET}, headers=chief
    )
    assert urge.status_code == 200
    reviewer = make.headers(second_user)
    steps = [("start_review", {}), *[(s[1], s[2]) for s in verify_all(view)]]
    steps += [("schedule_inspection", {"date": "2026-11-30"})]
    for action, fields in steps:
        body = {"action": action, "version": _version(client, reviewer, case_id), **fields}
        response = client.post(
            f"/api/v1/applications/{case_id}/actions", json=body, headers=reviewer
        )
        assert response.status_code == 200, response.get_json()
    view = client.get(f"/api/v1/applications/{case_id}", headers=office.applicant).get_json()
    drive(view, ("inspector", "record_inspection", {"result": "pass"}))
    body = {"action": "recommend", "recommendation": "approve"}
    body["version"] = _version(client, reviewer, case_id)
    assert (
        client.post(
            f"/api/v1/applications/{case_id}/actions", json=body, headers=reviewer
        ).status_code
        == 200
    )
    view = client.get(f"/api/v1/applications/{case_id}", headers=office.applicant).get_json()
    drive(view, ("approver", "approve", {"comment": "准予许可"}))
    outbox_delivery.drain()

    assert client.get(notes, headers=office.applicant).status_code == 404
    assert client.post(notes, json={"body": "x"}, headers=office.applicant).status_code == 404
    texts = _applicant_sees(client, office.applicant, case_id)
    assert len(texts) >= 9
    assert not [t for t in texts if SECRET in t]
    applicant_id = client.get("/api/v1/me", headers=office.applicant).get_json()["id"]
    wechat = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == applicant_id)
    ).all()
    assert wechat and not [m for m in wechat if SECRET in m.body + json.dumps(m.payload)]
    staff_notes = client.get(notes, headers=reviewer).get_json()["items"]
    assert SECRET in staff_notes[0]["body"]


def _version(client, auth, case_id: int) -> int:
    return client.get(f"/api/v1/applications/{case_id}", headers=auth).get_json()["version"]


def _due_case(make, assignee: User, days: int) -> Application:
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "under_review", owner)
    case.assignee_id = assignee.id
    case.clock_kind, case.clock_started_on = "decision", timekeeping.today() - timedelta(days=20)
    case.clock_due = timekeeping.today() + timedelta(days=days)
    db.session.commit()
    return case


def test_deadline_warnings_and_escalations_go_out_once_however_often_the_job_runs(client, make):
    reviewer, reviewer_auth = _staff_user(make, "reviewer")
    chief, chief_auth = _staff_user(make, "chief")
    far_chief, _ = _staff_user(make, "chief", "320000")
    near = _due_case(make, reviewer, 1)
    late = _due_case(make, reviewer, -3)
    _due_case(make, reviewer, 30)  # far from its due date: nothing
    assert clock.deadline(near).working_days_left <= 2
    today = timekeeping.today()

    first = deadline_alerts.scan(today)
    again = deadline_alerts.scan(today)
    next_day = deadline_alerts.scan(today + timedelta(days=1))

    assert (first.warned, first.escalated) == (2, 2)  # assignee and chief, each level
    assert (again.warned, again.escalated) == (0, 0)
    assert (next_day.warned, next_day.escalated) == (0, 0)
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert count == 4
    assert not db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == far_chief.id)
    ).all()
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=chief_auth).get_json()
    titles = sorted(item["title"] for item in inbox["items"])
    assert titles == ["办理期限预警", "超期督办"]
    assert {item["payload"]["application_id"] for item in inbox["items"]} == {near.id, late.id}
    assert client.get("/api/v1/notifications", headers=reviewer_auth).get_json()["unread"] == 2


def test_the_daily_job_list_includes_the_deadline_alerts():
    from app.jobs.daily_jobs import DAILY_JOBS

    assert "deadline alerts" in [job.name for job in DAILY_JOBS]


def test_a_resubmitted_case_says_what_changed(client, make, office, drive, submitted):
    clerk = office["clerk"]
    material = submitted["materials"][0]["code"]
    old_ids = [d["id"] for d in submitted["materials"][0]["documents"]]
    view = drive(
        submitted,
        ("clerk", "request_supplement", {"missing_materials": [material], "comment": "不清晰"}),
    )
    url = f"/api/v1/applications/{view['id']}/changes"
    form = {**view["form"], "principal": "李国强"}
    patched = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": form, "version": view["version"]},
        headers=office.applicant,
    )
    assert patched.status_code == 200, patched.get_json()
    uploaded = make.upload(client, office.applicant, view["id"], material)
    assert uploaded.status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    drive(view, ("applicant", "resubmit"))

    changes = client.get(url, headers=clerk).get_json()

    assert changes["since"].endswith("+08:00")
    assert {"path": "form.principal", "before": "王建国", "after": "李国强"} in changes["form"]
    assert changes["materials"] == [
        {
            "code": material,
            "name": submitted["materials"][0]["name"],
            "replaced_document_ids": old_ids,
            "new_document_ids": [uploaded.get_json()["id"]],
        }
    ]
    fresh = make.case_in_state(make.enterprise(make.applicant()), "submitted", make.applicant())
    nothing = client.get(f"/api/v1/applications/{fresh.id}/changes", headers=clerk).get_json()
    assert nothing == {"since": None, "form": [], "materials": []}


def test_a_licence_export_opens_in_excel_with_rows_masked_and_is_recorded(client, make):
    admin, admin_auth = _staff_user(make, "admin")
    owner = make.applicant()
    firm = make.enterprise(owner, name='=HYPERLINK("http://evil")公司')
    form = {**make.example_form(), "worker_id_number": "11010519491231002X"}
    for _ in range(3):
        make.licence(firm, form=form, valid_until="2028-01-31")
    far = make.enterprise(make.applicant(), region="320101")
    make.licence(far)

    response = client.get("/api/v1/licences?format=xlsx&status=active", headers=admin_auth)

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "许可证编号"
    assert len(rows) == 4  # the header and the region's three licences
    assert rows[1][2].startswith("'=HYPERLINK")  # a formula-looking cell neutralised
    assert rows[1][7] == "110***********002X"
    record = db.session.scalars(select(ExportRecord)).one()
    assert (record.staff_id, record.kind, record.rows) == (admin.id, "licences", 3)
    assert record.filters == {"status": "active"}
    applicant = make.headers(owner)
    assert client.get("/api/v1/licences?format=xlsx", headers=applicant).status_code == 403


def test_queue_and_case_list_exports_mask_the_delivery_phone(client, make):
    reviewer, auth = _staff_user(make, "reviewer")
    owner = make.applicant()
    make.case_in_state(make.enterprise(owner), "under_review", owner)

    for url in (
        "/api/v1/review/queue?format=xlsx",
        "/api/v1/applications?format=xlsx&state=under_review",
    ):
        response = client.get(url, headers=auth)
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
        assert len(rows) == 2
        assert "13912345678" not in [str(c) for c in rows[1]]
        assert "*******5678" in rows[1]
    kinds = sorted(r.kind for r in db.session.scalars(select(ExportRecord)))
    assert kinds == ["cases", "queue"]


def test_the_request_desk_exports_too(client, make):
    _, clerk = _staff_user(make, "clerk")
    response = client.get("/api/v1/enterprise-requests?format=xlsx", headers=clerk)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "编号"


def test_an_export_names_a_renewed_licence_superseded_and_an_unrenewed_one_expired(client, make):
    _, admin = _staff_user(make, "admin")
    firm = make.enterprise(make.applicant())
    renewed = make.licence(firm, valid_from="2021-01-01", valid_until="2023-12-31")
    make.licence(firm, valid_from="2024-01-01", valid_until="2028-12-31", supersedes_id=renewed.id)
    make.licence(firm, valid_from="2021-01-01", valid_until="2023-12-31")

    response = client.get("/api/v1/licences?format=xlsx", headers=admin)

    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert sorted(row[6] for row in rows[1:]) == sorted(["已被替代", "已过期", "有效"])
