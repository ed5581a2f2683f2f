"""Written notices and decisions: one per decision, numbered, signed, listed and linked."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.integrations.signer import validate_signature
from app.jobs import outbox_delivery
from tests.conftest import verify_all

SUPPLEMENT = {"missing_materials": ["safety_rules"], "comment": "规章制度目录缺少签章页"}


def notices_of(client, auth, view) -> list[dict]:
    response = client.get(f"/api/v1/applications/{view['id']}/notices", headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def pdf_text(client, auth, view, notice) -> str:
    url = f"/api/v1/applications/{view['id']}/notices/{notice['id']}/pdf"
    response = client.get(url, headers=auth)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    ca = client.get("/api/v1/pki/ca.pem").data
    assert validate_signature(response.data, ca).valid
    reader = PdfReader(io.BytesIO(response.data))
    return "".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def delivered(client, make, office, drive, submitted):
    view = drive(submitted, ("clerk", "request_supplement", SUPPLEMENT))
    assert make.upload(client, office.applicant, view["id"], "safety_rules").status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    return drive(
        view,
        ("applicant", "resubmit"),
        ("clerk", "accept"),
        ("approver", "extend_deadline", {"comment": "储存设施情况复杂，需进一步核实"}),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
        ("dispatcher", "dispatch", {"carrier": "EMS", "tracking_no": "EM123456789CN"}),
        ("dispatcher", "confirm_delivery"),
    )


def test_each_decision_of_a_case_is_a_numbered_signed_notice(client, office, delivered):
    items = notices_of(client, office.applicant, delivered)
    assert [item["kind"] for item in items] == [
        "supplement",
        "acceptance",
        "extension",
        "approval",
        "delivery_receipt",
    ]
    assert [item["title"] for item in items] == [
        "补正材料通知书",
        "受理通知书",
        "延长审批期限告知书",
        "准予行政许可决定书",
        "送达回证",
    ]
    assert len({item["number"] for item in items}) == len(items)
    assert all(item["number"].endswith("号") and item["issued_at"] for item in items)
    texts = {item["kind"]: pdf_text(client, office.applicant, delivered, item) for item in items}
    for kind, text in texts.items():
        assert delivered["number"] in text, kind
    assert "安全生产规章制度和岗位操作规程目录清单" in texts["supplement"]
    assert "规章制度目录缺少签章页" in texts["supplement"]
    assert "延长10日" in texts["extension"]
    licence = client.get(
        f"/api/v1/licences/{delivered['issued_licence_id']}", headers=office.applicant
    ).get_json()
    assert licence["number"] in texts["approval"]
    assert "EM123456789CN" in texts["delivery_receipt"]


def test_the_timeline_and_the_inbox_link_to_the_notice(client, office, delivered):
    items = {item["kind"]: item for item in notices_of(client, office.applicant, delivered)}
    timeline = client.get(
        f"/api/v1/applications/{delivered['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    accept = next(entry for entry in timeline if entry["action"] == "accept")
    assert accept["notice"] == {
        "id": items["acceptance"]["id"],
        "number": items["acceptance"]["number"],
    }
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications?page_size=50", headers=office.applicant).get_json()
    approve = next(item for item in inbox["items"] if item["payload"].get("action") == "approve")
    assert approve["payload"]["notice_id"] == items["approval"]["id"]


@pytest.mark.parametrize(
    ("steps", "kind", "title"),
    [
        (
            (("clerk", "reject", {"comment": "不属于本机关管辖范围"}),),
            "not_accepted",
            "不予受理决定书",
        ),
        (
            (
                ("clerk", "accept"),
                ("reviewer", "start_review"),
                ("reviewer", "recommend", {"recommendation": "deny", "comment": "不符合"}),
                ("approver", "deny", {"comment": "储存设施与周边安全距离不足"}),
            ),
            "denial",
            "不予行政许可决定书",
        ),
    ],
)
def test_refusals_and_denials_carry_the_reasons_and_the_remedies(
    client, office, drive, submitted, steps, kind, title
):
    view = drive(submitted, *steps)
    notice = notices_of(client, office.applicant, view)[-1]
    assert (notice["kind"], notice["title"]) == (kind, title)
    text = pdf_text(client, office.applicant, view, notice).replace("\n", "")
    assert submitted["number"] in text
    assert steps[-1][2]["comment"] in text
    assert "六十日内向天津市人民政府申请行政复议" in text
    assert "六个月内向有管辖权的人民法院提起行政诉讼" in text
    assert "行政复议法" in text and "行政诉讼法" in text


def test_the_remedy_bodies_are_configured_per_office(app, client, office, drive, submitted):
    app.config["REMEDY_REVIEW_BODY"] = "天津市应急管理局"
    app.config["REMEDY_COURT"] = "天津市和平区人民法院"
    view = drive(submitted, ("clerk", "reject", {"comment": "不属于本机关管辖范围"}))
    notice = notices_of(client, office.applicant, view)[-1]
    text = pdf_text(client, office.applicant, view, notice).replace("\n", "")
    assert "向天津市应急管理局申请行政复议" in text
    assert "向天津市和平区人民法院提起行政诉讼" in text


def test_deemed_decisions_have_their_notices(client, make, office, drive, submitted, runner):
    assert runner.invoke(args=["cases", "sweep", "--date", "2026-12-01"]).exit_code == 0
    (notice,) = notices_of(client, office.applicant, submitted)
    assert (notice["kind"], notice["title"]) == ("deemed_acceptance", "视为受理通知书")
    text = pdf_text(client, office.applicant, submitted, notice).replace("\n", "")
    assert submitted["number"] in text and "第三十二条" in text


def test_a_deemed_renewal_has_its_notice(client, make, office, drive, runner):
    from app.extensions import db
    from app.models import Enterprise

    firm = db.session.get(Enterprise, office.enterprise_id)
    held = make.licence(firm)
    body = {
        "enterprise_id": office.enterprise_id,
        "permit_type": "hazchem-trading",
        "kind": "renewal",
        "licence_id": held.id,
        "form": {"no_fatal_accident": False},
        "delivery": dict(make.DELIVERY),
    }
    view = client.post("/api/v1/applications", json=body, headers=office.applicant).get_json()
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    assert runner.invoke(args=["cases", "sweep", "--date", "2027-02-01"]).exit_code == 0
    notice = notices_of(client, office.applicant, view)[-1]
    assert (notice["kind"], notice["title"]) == ("deemed_approval", "视为准予延续通知书")
    text = pdf_text(client, office.applicant, view, notice).replace("\n", "")
    assert view["number"] in text and held.number in text and "第五十条" in text


def test_notices_are_as_private_as_the_case(client, make, office, drive, submitted):
    view = drive(submitted, ("clerk", "accept"))
    (notice,) = notices_of(client, office.applicant, view)
    pdf = f"/api/v1/applications/{view['id']}/notices/{notice['id']}/pdf"
    listing = f"/api/v1/applications/{view['id']}/notices"
    stranger = make.headers(make.applicant())
    elsewhere = make.headers(make.staff("clerk", "110000"))
    for auth in (stranger, elsewhere):
        assert client.get(listing, headers=auth).status_code == 404
        assert client.get(pdf, headers=auth).status_code == 404
    assert client.get(listing).status_code == 401
    assert client.get(listing, headers=office["clerk"]).status_code == 200
    other = make.create_application(client, office.applicant, office.enterprise_id)
    wrong_case = f"/api/v1/applications/{other['id']}/notices/{notice['id']}/pdf"
    response = client.get(wrong_case, headers=office.applicant)
    assert response.status_code == 404 and response.get_json()["code"] == "NOTICE_NOT_FOUND"
