"""Real responses — successes and problems — of every route match the OpenAPI document.

The ``client`` here checks every exchange (see ``openapi_contract``): an undocumented
status, media type or field, or a mistyped one, fails the test that made the request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import Enterprise, User
from app.services import api_clients
from tests.api.openapi_contract import Contract, ContractClient, ContractViolation
from tests.conftest import verify_all
from tests.factories import STAFF_PASSWORD


@pytest.fixture(scope="session")
def contract(app) -> Contract:
    return Contract(app.test_client().get("/api/openapi.json").get_json())


@pytest.fixture
def client(app, contract):
    checked = ContractClient(app, app.response_class, use_cookies=True)
    checked.contract = contract
    contract.seen.clear()
    return checked


def _signed(app, payload: dict) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    secret = app.config["COURIER_WEBHOOK_SECRET"].encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return body, {"X-Signature": signature}


def _resumable_upload(client, auth: dict, url: str, content: bytes, material: str = "") -> None:
    """Every tus operation and refusal, as documented (a case's material, or without
    ``material`` a request's attachment)."""
    tus = {**auth, "Tus-Resumable": "1.0.0"}
    assert client.options(f"{url}/uploads").status_code == 204
    metadata = "filename " + base64.b64encode("扫描件.pdf".encode()).decode()
    if material:
        metadata += ",material " + base64.b64encode(material.encode()).decode()
    create = {**tus, "Upload-Length": str(len(content)), "Upload-Metadata": metadata}
    assert (
        client.post(f"{url}/uploads", headers={**create, "Tus-Resumable": "0.2"}).status_code == 412
    )
    too_big = {**create, "Upload-Length": str(10**9)}
    assert client.post(f"{url}/uploads", headers=too_big).status_code == 413
    created = client.post(f"{url}/uploads", headers=create)
    assert created.status_code == 201
    upload = urlsplit(created.headers["Location"]).path
    assert client.head(upload, headers=tus).status_code == 200
    piece = {**tus, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    half = len(content) // 2
    wrong = {**piece, "Upload-Checksum": "sha256 " + base64.b64encode(bytes(32)).decode()}
    assert client.patch(upload, data=content[:half], headers=wrong).status_code == 460
    assert client.patch(upload, data=content[:half], headers=piece).status_code == 204
    assert client.patch(upload, data=content[half:], headers=piece).status_code == 409
    rest = {**piece, "Upload-Offset": str(half)}
    assert client.patch(upload, data=content[half:], headers=rest).status_code == 200
    abandoned = urlsplit(client.post(f"{url}/uploads", headers=create).headers["Location"]).path
    assert client.delete(abandoned, headers=tus).status_code == 204
    assert client.delete(abandoned, headers=tus).status_code == 404


def _intake_and_documents(client, make, office, contract) -> dict:
    applicant = office.applicant
    assert client.get("/api/v1/health").status_code == 200
    assert client.post("/api/v1/auth/wechat", json={"code": "openapi"}).status_code == 200
    assert client.post("/api/v1/auth/wechat", json={}).status_code == 422
    assert (
        client.post("/api/v1/auth/wechat", data="{", content_type="application/json").status_code
        == 400
    )
    assert client.post("/api/v1/auth/wechat", data="code=x").status_code == 415
    make.staff("clerk", "120000", username="openapi-clerk")
    login = {"username": "openapi-clerk", "password": STAFF_PASSWORD}
    assert client.post("/api/v1/auth/staff", json=login).status_code == 200
    assert client.post("/api/v1/auth/staff", json={**login, "password": "x"}).status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=applicant).status_code == 200
    assert client.get("/api/v1/me", headers=office["clerk"]).status_code == 200

    assert client.get("/api/v1/enterprises", headers=applicant).status_code == 200
    firm = {
        "name": "天津契约测试有限公司",
        "credit_code": make.credit_code(),
        "legal_representative": "王五",
        "address": "天津市和平区测试路2号",
        "region_code": "120101",
        "contact_phone": "13800138000",
    }
    assert client.post("/api/v1/enterprises", json=firm, headers=applicant).status_code == 201
    bad = {**firm, "credit_code": "91120101MA00000000"}
    assert client.post("/api/v1/enterprises", json=bad, headers=applicant).status_code == 422
    assert (
        client.get(f"/api/v1/enterprises/{office.enterprise_id}", headers=applicant).status_code
        == 200
    )
    assert client.get("/api/v1/enterprises/999999", headers=applicant).status_code == 404

    types = client.get("/api/v1/permit-types").get_json()["items"]
    for item in types:
        assert client.get(f"/api/v1/permit-types/{item['code']}").status_code == 200
    assert client.get("/api/v1/permit-types/no-such-type").status_code == 404

    view = make.create_application(client, applicant, office.enterprise_id)
    assert client.get("/api/v1/applications", headers=applicant).status_code == 200
    assert client.get("/api/v1/applications?page=0", headers=applicant).status_code == 422
    url = f"/api/v1/applications/{view['id']}"
    patched = client.patch(
        url, json={"version": view["version"], "delivery": view["delivery"]}, headers=applicant
    )
    assert patched.status_code == 200
    assert client.patch(url, json={"version": 0}, headers=applicant).status_code == 409

    material = view["materials"][0]["code"]
    assert (
        make.upload(client, applicant, view["id"], material, b"not a file", "a.txt").status_code
        == 415
    )
    no_file = client.post(
        f"{url}/documents",
        data={"material": material},
        content_type="multipart/form-data",
        headers=applicant,
    )
    assert no_file.status_code == 422
    uploaded = make.upload(client, applicant, view["id"], material)
    assert uploaded.status_code == 201
    document = uploaded.get_json()
    assert (
        client.get(f"{url}/documents/{document['id']}/content", headers=applicant).status_code
        == 200
    )
    assert client.delete(f"{url}/documents/{document['id']}", headers=applicant).status_code == 204
    assert client.delete(f"{url}/documents/{document['id']}", headers=applicant).status_code == 404
    _resumable_upload(client, applicant, url, make.pdf_bytes("续传"), material)
    view = make.upload_required(client, applicant, view)

    assert make.act(client, office["clerk"], view, "approve").status_code == 403
    assert make.act(client, applicant, view, "no_such_action").status_code == 422
    assert make.act(client, applicant, view, "resubmit").status_code == 409
    assert client.get("/api/v1/review/queue", headers=applicant).status_code == 403
    return view


def _office_operations(client, make, office, shipped_id: int) -> None:
    """Notes, urging, what changed, deputies, bulk hand-overs, labels, assignment modes."""
    applicant, admin = office.applicant, office["admin"]
    chief = make.headers(make.staff("chief", "120000"))
    owner, other = make.staff("reviewer", "120000"), make.staff("reviewer", "120000")
    case = make.case_in_state(
        make.enterprise(make.applicant()), "under_review", make.staff("clerk", "120000")
    )
    notes = f"/api/v1/applications/{case.id}/notes"
    assert client.post(notes, json={"body": "内部意见"}, headers=chief).status_code == 201
    assert client.post(notes, json={"body": ""}, headers=chief).status_code == 422
    assert client.get(notes, headers=chief).status_code == 200
    assert client.get(notes, headers=applicant).status_code == 404
    urge = f"/api/v1/applications/{case.id}/urge"
    assert client.post(urge, json={"comment": "请尽快"}, headers=chief).status_code == 409
    bulk = {"action": "assign", "ids": [case.id, 999999], "assignee_id": owner.id}
    assert client.post("/api/v1/review/bulk", json=bulk, headers=chief).status_code == 200
    assert client.post("/api/v1/review/bulk", json={"ids": []}, headers=chief).status_code == 422
    assert client.post(urge, json={"comment": "请尽快"}, headers=chief).status_code == 200
    assert client.get(f"/api/v1/applications/{case.id}/changes", headers=chief).status_code == 200
    deputies = f"/api/v1/staff/{owner.id}/deputies"
    body = {"deputy_id": other.id, "starts_on": "2026-11-23", "ends_on": "2026-11-30"}
    row = client.post(deputies, json=body, headers=admin)
    assert row.status_code == 201
    assert (
        client.post(deputies, json={**body, "ends_on": "2026-11-01"}, headers=admin).status_code
        == 422
    )
    assert client.get(deputies, headers=admin).status_code == 200
    assert client.delete(f"{deputies}/{row.get_json()['id']}", headers=admin).status_code == 204
    assert client.delete(f"{deputies}/999999", headers=admin).status_code == 404
    labels = f"/api/v1/review/labels.pdf?ids={shipped_id}"
    assert client.get(labels, headers=office["dispatcher"]).status_code == 200
    assert (
        client.get("/api/v1/review/labels.pdf?ids=x", headers=office["dispatcher"]).status_code
        == 422
    )
    mode = {"region": "120000", "mode": "least_loaded"}
    assert client.put("/api/v1/office/assignment", json=mode, headers=admin).status_code == 200
    assert client.put("/api/v1/office/assignment", json=mode, headers=chief).status_code == 403
    assert client.get("/api/v1/office/assignment", headers=admin).status_code == 200


def _enterprise_services(client, make, office) -> None:
    applicant, clerk = office.applicant, office["clerk"]
    assert client.get("/api/v1/request-topics").status_code == 200
    desk = "/api/v1/enterprise-requests"
    filed = client.post(
        desk,
        json={
            "enterprise_id": office.enterprise_id,
            "topic": "tax",
            "title": "留抵退税办理咨询",
            "description": "想了解网上申请的流程和所需材料。",
        },
        headers=applicant,
    )
    assert filed.status_code == 201
    item = filed.get_json()
    one = f"{desk}/{item['id']}"
    attached = client.post(
        f"{one}/attachments",
        data={"file": (io.BytesIO(make.pdf_bytes("诉求")), "scan.pdf")},
        content_type="multipart/form-data",
        headers=applicant,
    )
    assert attached.status_code == 201
    content = f"{one}/attachments/{attached.get_json()['id']}/content"
    _resumable_upload(client, applicant, one, make.pdf_bytes("诉求续传"))
    assert client.get(content, headers=applicant).status_code == 200
    assert client.get(desk, headers=clerk).status_code == 200
    assert client.get(f"{desk}/999999", headers=applicant).status_code == 404

    def act(headers, action: str, **fields):
        current = client.get(one, headers=headers).get_json()
        body = {"action": action, "version": current["version"], **fields}
        return client.post(f"{one}/actions", json=body, headers=headers)

    assert act(clerk, "claim").status_code == 200
    assert act(clerk, "reply", comment="请登录电子税务局提交申请表。").status_code == 200
    assert act(applicant, "close").status_code == 200
    assert client.post(f"{one}/rating", json={"score": 5}, headers=applicant).status_code == 200
    assert client.post(f"{one}/rating", json={"score": 5}, headers=applicant).status_code == 409

    slot = {
        "starts_at": "2026-11-24T09:00:00+08:00",
        "ends_at": "2026-11-24T10:00:00+08:00",
        "purpose": "video_consultation",
        "capacity": 1,
    }
    published = client.post("/api/v1/appointment-slots", json=slot, headers=clerk)
    assert published.status_code == 201
    assert client.post("/api/v1/appointment-slots", json=slot, headers=applicant).status_code == 403
    assert client.get("/api/v1/appointment-slots", headers=applicant).status_code == 200
    booking = {"slot_id": published.get_json()["id"], "purpose": "video_consultation"}
    booked = client.post("/api/v1/appointments", json=booking, headers=applicant)
    assert booked.status_code == 201
    assert client.get("/api/v1/appointments", headers=applicant).status_code == 200
    cancel = f"/api/v1/appointments/{booked.get_json()['id']}"
    assert client.delete(cancel, headers=applicant).status_code == 204

    # Binding a phone needs WeChat; its refusals are checked here, its answer in test_wechat_phone.
    assert client.post("/api/v1/auth/wechat/phone", json={"code": "x"}).status_code == 401
    assert client.post("/api/v1/auth/wechat/phone", json={}, headers=applicant).status_code == 422
    consent = {"accepted": ["tmpl-case"], "rejected": ["tmpl-ad"]}
    assert (
        client.post("/api/v1/me/subscriptions", json=consent, headers=applicant).status_code == 200
    )
    assert client.get("/api/v1/me/subscriptions", headers=applicant).status_code == 200

    consents = f"/api/v1/enterprises/{office.enterprise_id}/consents"
    grant = {"scope": "prepare", "expires_on": "2026-12-31"}
    granted = client.post(consents, json=grant, headers=applicant)
    assert granted.status_code == 201
    assert client.get(consents, headers=applicant).status_code == 200
    assert (
        client.delete(f"{consents}/{granted.get_json()['id']}", headers=applicant).status_code
        == 204
    )
    commitment = {"material": "x", "signer_name": "王五"}
    assert (
        client.post(
            "/api/v1/applications/999999/commitments", json=commitment, headers=applicant
        ).status_code
        == 404
    )
    assert client.get("/api/v1/review/post-checks", headers=office["reviewer"]).status_code == 200
    assert client.get("/api/v1/review/revocations", headers=office["approver"]).status_code == 200
    assert client.get("/api/v1/review/revocations", headers=applicant).status_code == 403
    check = {"result": "pass", "comment": ""}
    assert (
        client.post(
            "/api/v1/licences/999999/post-check", json=check, headers=office["reviewer"]
        ).status_code
        == 404
    )

    admin = office["admin"]
    assert client.get("/api/v1/guide/search?q=危险化学品经营许可证要多久").status_code == 200
    assert client.get("/api/v1/guide/search").status_code == 422
    faq = {"question": "可以邮寄领证吗？", "answer": "可以，审批通过后免费邮寄。"}
    added = client.post("/api/v1/faq", json=faq, headers=admin)
    assert added.status_code == 201
    assert client.post("/api/v1/faq", json=faq, headers=clerk).status_code == 403
    assert client.get("/api/v1/faq").status_code == 200
    assert client.delete(f"/api/v1/faq/{added.get_json()['id']}", headers=admin).status_code == 204
    assert client.delete("/api/v1/faq/999999", headers=admin).status_code == 404


def test_every_operation_answers_as_documented(
    app, client, make, office, drive, frozen_now, contract
):
    view = _intake_and_documents(client, make, office, contract)
    view = drive(view, ("applicant", "submit"))
    assert client.get("/api/v1/review/queue", headers=office["clerk"]).status_code == 200
    bad_supplement = make.act(
        client, office["clerk"], view, "request_supplement", missing_materials="x"
    )
    assert bad_supplement.status_code == 422
    view = drive(
        view,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass", "comment": "符合要求"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve", {"comment": "准予许可"}),
    )
    applicant = office.applicant
    licence_url = f"/api/v1/licences/{view['issued_licence_id']}"
    assert client.get("/api/v1/licences", headers=applicant).status_code == 200
    licence = client.get(licence_url, headers=applicant).get_json()
    assert client.get("/api/v1/licences/999999", headers=applicant).status_code == 404
    assert client.get(f"{licence_url}/pdf", headers=applicant).status_code == 200
    assert client.get("/api/v1/pki/ca.pem").status_code == 200
    assert client.get(f"{licence_url}/ofd", headers=applicant).status_code == 200
    assert client.get("/api/v1/pki/sm2-ca.pem").status_code == 200
    parts = urlsplit(licence["verification_url"])
    assert client.get(f"{parts.path}?{parts.query}").get_json()["valid"] is True
    assert client.get(f"{parts.path}?code=wrong").get_json()["valid"] is False
    page = client.get(f"{parts.path}?{parts.query}", headers={"Accept": "text/html"})
    assert page.mimetype == "text/html"
    assert client.get("/api/v1/carriers").status_code == 200

    view = drive(view, ("dispatcher", "dispatch", {"carrier": "ems", "tracking_no": "EM1CN"}))
    shipment_url = f"/api/v1/applications/{view['id']}/shipment"
    assert client.get(shipment_url, headers=applicant).status_code == 200
    assert client.get(f"{shipment_url}/label.pdf", headers=office["dispatcher"]).status_code == 200
    report = {"tracking_no": "EM1CN", "status": "delivered", "at": "2026-11-25T10:00:00+08:00"}
    body, signature = _signed(app, report)
    hook = "/api/v1/webhooks/courier/ems"
    forged = {"X-Signature": "sha256=" + "0" * 64}
    assert (
        client.post(hook, data=body, content_type="application/json", headers=forged).status_code
        == 401
    )
    assert (
        client.post(hook, data=body, content_type="application/json", headers=signature).status_code
        == 200
    )
    assert (
        client.post(hook, data=body, content_type="application/json", headers=signature).status_code
        == 200
    )
    unknown, unknown_signature = _signed(app, {**report, "tracking_no": "NOPE"})
    assert (
        client.post(
            hook, data=unknown, content_type="application/json", headers=unknown_signature
        ).status_code
        == 404
    )
    invalid, invalid_signature = _signed(app, {"tracking_no": "EM1CN"})
    assert (
        client.post(
            hook, data=invalid, content_type="application/json", headers=invalid_signature
        ).status_code
        == 422
    )

    notices = client.get(f"/api/v1/applications/{view['id']}/notices", headers=applicant)
    first = notices.get_json()["items"][0]
    notice_pdf = f"/api/v1/applications/{view['id']}/notices/{first['id']}/pdf"
    assert client.get(notice_pdf, headers=applicant).status_code == 200
    timeline = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=applicant)
    assert timeline.status_code == 200
    inbox = client.get("/api/v1/notifications", headers=applicant).get_json()
    if inbox["items"]:
        read = client.post(
            f"/api/v1/notifications/{inbox['items'][0]['id']}/read", headers=applicant
        )
        assert read.status_code == 200
    assert client.post("/api/v1/notifications/999999/read", headers=applicant).status_code == 404
    rating_url = f"/api/v1/applications/{view['id']}/rating"
    assert client.post(rating_url, json={"score": 5}, headers=applicant).status_code == 201
    assert client.post(rating_url, json={"score": 5}, headers=applicant).status_code == 409
    assert client.get("/api/v1/stats", headers=office["approver"]).status_code == 200
    assert client.get("/api/v1/stats", headers=applicant).status_code == 403
    revoke = f"{licence_url}/revoke"
    assert client.post(revoke, json={"comment": "撤销"}, headers=applicant).status_code == 403
    assert (
        client.post(
            revoke, json={"comment": "以欺骗手段取得许可"}, headers=office["approver"]
        ).status_code
        == 200
    )

    _enterprise_services(client, make, office)
    _office_operations(client, make, office, view["id"])
    _integration(client, office)
    personal = f"/api/v1/applications/{view['id']}/personal-data"
    assert client.get(personal, headers=office["reviewer"]).status_code == 200
    assert client.get(personal, headers=applicant).status_code == 403
    assert client.get("/api/v1/audit/pii-access", headers=office["admin"]).status_code == 200
    assert client.get("/api/v1/audit/pii-access", headers=applicant).status_code == 403
    _oversight(client, make, office)

    documented = {
        (method.upper(), template)
        for template, operations in contract.document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    exercised = {(method, template) for method, template, _ in contract.seen}
    missing = documented - exercised
    assert not missing, f"exercise these operations in this test too: {sorted(missing)}"


def _integration(client, office) -> None:
    """The integration API: client token, the event feed, webhook endpoints and their log."""
    record, secret = api_clients.create_client("省平台", ["events:read", "licences:read"])
    login = {"client_id": record.client_id, "client_secret": secret}
    token = client.post("/api/v1/auth/client", json=login).get_json()["token"]
    assert (
        client.post("/api/v1/auth/client", json={**login, "client_secret": "x"}).status_code == 401
    )
    machine = {"Authorization": f"Bearer {token}"}
    feed = client.get("/api/v1/events", headers=machine).get_json()
    assert {item["type"] for item in feed["items"]} >= {"cn.zerovisit.licence.revoked"}
    assert client.get("/api/v1/events?after=x", headers=machine).status_code == 422
    assert client.get("/api/v1/events", headers=office.applicant).status_code == 403
    admin = office["admin"]
    body = {"url": "http://127.0.0.1:9/hook", "types": ["cn.zerovisit.rating.created"]}
    created = client.post("/api/v1/webhook-endpoints", json=body, headers=admin)
    assert created.status_code == 201
    endpoint = f"/api/v1/webhook-endpoints/{created.get_json()['id']}"
    assert (
        client.post(
            "/api/v1/webhook-endpoints", json={**body, "url": "x"}, headers=admin
        ).status_code
        == 422
    )
    assert client.get("/api/v1/webhook-endpoints", headers=admin).status_code == 200
    assert client.get(endpoint, headers=admin).status_code == 200
    assert client.get(f"{endpoint}/deliveries", headers=admin).status_code == 200
    assert client.delete(endpoint, headers=admin).status_code == 204
    assert client.get(endpoint, headers=admin).status_code == 404


def _oversight(client, make, office) -> None:
    """差评整改 and the staff workload figures."""
    firm = db.session.get(Enterprise, office.enterprise_id)
    owner = db.session.get(User, firm.manager_id)
    case = make.case_in_state(firm, "denied", owner)
    rated = client.post(
        f"/api/v1/applications/{case.id}/rating",
        json={"score": 1, "comment": "办理太慢"},
        headers=office.applicant,
    )
    assert rated.status_code == 201
    chief = make.headers(make.staff("chief", "120000"))
    cases = client.get("/api/v1/rating-cases", headers=chief).get_json()["items"]
    assert client.get("/api/v1/rating-cases?status=x", headers=chief).status_code == 422
    assert client.get("/api/v1/rating-cases", headers=office.applicant).status_code == 403
    actions = f"/api/v1/rating-cases/{cases[0]['id']}/actions"
    assert client.post(actions, json={"action": "rectify"}, headers=chief).status_code == 409
    assert client.post(actions, json={"action": "contact"}, headers=chief).status_code == 200
    assert client.post(actions, json={"action": "rectify"}, headers=chief).status_code == 422
    assert client.post(actions, json={"action": "x"}, headers=chief).status_code == 422
    by_applicant = client.post(actions, json={"action": "contact"}, headers=office.applicant)
    assert by_applicant.status_code == 403
    missing = "/api/v1/rating-cases/999999/actions"
    assert client.post(missing, json={"action": "contact"}, headers=chief).status_code == 404
    assert client.get("/api/v1/stats/staff", headers=chief).status_code == 200
    assert client.get("/api/v1/stats/staff", headers=office["clerk"]).status_code == 403
    bad_period = "/api/v1/stats/staff?from=2026-12-01&to=2026-01-01"
    assert client.get(bad_period, headers=chief).status_code == 422


def test_the_check_catches_a_field_the_document_omits_or_mistypes(client, make, office, contract):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    schema = {"$ref": "#/components/schemas/Application"}
    contract.validate(view, schema, "the real application")
    with pytest.raises(ContractViolation, match="not_in_the_document"):
        contract.validate({**view, "not_in_the_document": 1}, schema, "an extra field")
    with pytest.raises(ContractViolation, match="version"):
        contract.validate({**view, "version": "1"}, schema, "a mistyped field")
    with pytest.raises(ContractViolation, match="enterprise/name"):
        contract.validate({**view, "enterprise": {**view["enterprise"], "name": None}}, schema, "x")
    problem = client.get("/api/v1/applications/999999", headers=office.applicant)
    with pytest.raises(ContractViolation, match="status not documented"):
        contract.check("GET", "/api/v1/health", problem)
