"""Object-level authorization over every API route with an id (OWASP API1).

Another enterprise's applicant, and staff of another region, get exactly the answer a
non-existent id gets (404, or 403 where the route is for other roles whatever the id), on
every method of every route with an id. A new route with an unknown id parameter fails
this test until the matrix learns how to fill it.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models import (
    Appointment,
    AppointmentSlot,
    Consent,
    Document,
    EnterpriseRequest,
    Licence,
    Notice,
    Notification,
    Rating,
    RatingCase,
    RequestAttachment,
    ResumableUpload,
)
from tests.conftest import FROZEN_NOW

# Routes anyone may call with any value: the catalogue, public verification, webhooks
# (authenticated by HMAC, not by user), static assets.
PUBLIC = ("/api/v1/permit-types/", "/api/v1/verify/", "/api/v1/webhooks/", "/api/docs/", "/static/")
# Not the API (session-cookie console pages), or office-wide content no enterprise owns.
NOT_OWNED = ("/console/", "/api/v1/faq/")
MISSING = 987_654


@pytest.fixture
def foreign_objects(client, make):
    """A Tianjin enterprise's approved case with documents, licence, shipment and inbox."""
    owner = make.applicant()
    firm = make.enterprise(owner, region="120101")
    case = make.case_in_state(firm, "pending_decision", owner, recommendation="approve")
    approver = make.headers(make.staff("approver", "120000"))
    view = client.get(f"/api/v1/applications/{case.id}", headers=approver).get_json()
    assert make.act(client, approver, view, "approve").status_code == 200
    document = db.session.query(Document).filter_by(application_id=case.id).first()
    licence = db.session.query(Licence).filter_by(enterprise_id=firm.id).first()
    note = Notification(user_id=owner.id, topic="case", title="通知", body="内容")
    notice = Notice(
        application_id=case.id, kind="acceptance", title="受理通知书", number="TEST-NOTICE-1"
    )
    slot = AppointmentSlot(
        region_code="120101",
        purpose="inspection",
        starts_at=FROZEN_NOW + timedelta(days=2),
        ends_at=FROZEN_NOW + timedelta(days=2, hours=1),
        capacity=3,
        created_by=owner.id,
    )
    request = EnterpriseRequest(
        enterprise_id=firm.id,
        filed_by=owner.id,
        topic="consultation",
        region_code="120101",
        handling_unit="天津市和平区应急管理局",
        title="咨询",
        description="问题",
        due_on=FROZEN_NOW.date() + timedelta(days=5),
    )
    db.session.add_all([note, notice, slot, request])
    db.session.flush()
    appointment = Appointment(
        slot_id=slot.id, user_id=owner.id, application_id=case.id, purpose="inspection"
    )
    attachment = RequestAttachment(
        request_id=request.id,
        sha256=document.sha256,
        filename="a.pdf",
        content_type="application/pdf",
        size=document.size,
        uploaded_by=owner.id,
    )
    consent = Consent(
        enterprise_id=firm.id,
        scope="prepare",
        expires_on=FROZEN_NOW.date() + timedelta(days=30),
        granted_by=owner.id,
    )
    upload = ResumableUpload(
        id="7" * 32,  # digits, so the matrix can make a missing id by adding to it
        application_id=case.id,
        user_id=owner.id,
        material_code=document.material_code,
        filename="a.pdf",
        length=1000,
        received=0,
        created_at=FROZEN_NOW,
        expires_at=FROZEN_NOW + timedelta(hours=24),
    )
    db.session.add_all([appointment, attachment, consent, upload])
    rating = Rating(application_id=case.id, user_id=owner.id, score=1, comment="态度差")
    db.session.add_all([appointment, attachment, consent, rating])
    db.session.flush()
    rating_case = RatingCase(
        rating_id=rating.id,
        application_id=case.id,
        region_code="120101",
        score=1,
        contact_due=FROZEN_NOW.date() + timedelta(days=1),
        rectify_due=FROZEN_NOW.date() + timedelta(days=7),
    )
    db.session.add(rating_case)
    db.session.commit()
    ids = {
        "application_id": case.id,
        "document_id": document.id,
        "enterprise_id": firm.id,
        "licence_id": licence.id,
        "notification_id": note.id,
        "notice_id": notice.id,
        "appointment_id": appointment.id,
        "request_id": request.id,
        "attachment_id": attachment.id,
        "consent_id": consent.id,
        "upload_id": int(upload.id),
        "case_id": rating_case.id,
    }
    return owner, ids


def _id_routes(app: Flask):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "<" not in rule.rule or rule.rule.startswith(PUBLIC + NOT_OWNED):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


# A valid body for each write, so the object check (not validation) decides the answer.
BODIES = {
    "<int:request_id>/actions": {"action": "close", "version": 1},
    "<int:case_id>/actions": {"action": "contact"},
    "/actions": {"action": "withdraw", "version": 1},
    "/rating": {"score": 5},
    "/commitments": {"material": "business_licence", "signer_name": "王五"},
    "/post-check": {"result": "pass"},
    "/consents": {"scope": "prepare", "expires_on": "2026-12-31"},
    "/revoke": {"comment": "核查不合格", "version": 1},
    "/read": None,
    "<int:application_id>": {"version": 1, "delivery": {"recipient": "王五"}},
}


def _call(client, method, rule, path, headers):
    if rule.endswith(("/documents", "/attachments")) and method == "POST":
        return make_upload(client, path, headers)
    if "/uploads" in rule:  # tus: the protocol's headers, a real material, a first piece
        tus = {
            **headers,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "1000",
            "Upload-Metadata": "material YnVzaW5lc3NfbGljZW5jZQ==",
            "Upload-Offset": "0",
        }
        if method == "PATCH":
            return client.patch(
                path, data=b"%PDF-", headers=tus, content_type="application/offset+octet-stream"
            )
        return client.open(path, method=method, headers=tus)
    kwargs = {"headers": headers}
    if method in ("POST", "PATCH", "PUT"):
        body = next((b for suffix, b in BODIES.items() if rule.endswith(suffix)), {})
        if body is not None:
            kwargs["json"] = body
    return client.open(path, method=method, **kwargs)


def make_upload(client, path, headers):
    from tests.factories import pdf_bytes

    return client.post(
        path,
        data={"material": "business_licence", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )


def _intruder(make, persona):
    if persona == "other-applicant":
        user = make.applicant()
        make.enterprise(user, region="120101")
        return make.headers(user)
    roles = ["clerk", "reviewer", "chief", "approver", "dispatcher"]
    return make.headers(make.staff(roles, "320000"))


@pytest.mark.parametrize("persona", ["other-applicant", "other-region-staff"])
def test_someone_elses_object_answers_like_a_missing_one(
    app, client, make, foreign_objects, persona
):
    owner, ids = foreign_objects
    intruder = _intruder(make, persona)
    owner_headers = make.headers(owner)
    leaks = []
    checked = 0
    for rule, method in _id_routes(app):
        unknown = set(rule.arguments) - set(ids)
        assert not unknown, f"{rule.rule}: teach the matrix how to fill {unknown}"
        real = rule.rule
        missing = rule.rule
        for name in rule.arguments:
            placeholder = next(p for p in (f"<int:{name}>", f"<{name}>") if p in rule.rule)
            real = real.replace(placeholder, str(ids[name]))
            missing = missing.replace(placeholder, str(MISSING + ids[name]))
        answer = _call(client, method, rule.rule, real, intruder)
        baseline = _call(client, method, rule.rule, missing, intruder)
        checked += 1
        same = (answer.status_code, (answer.get_json(silent=True) or {}).get("code")) == (
            baseline.status_code,
            (baseline.get_json(silent=True) or {}).get("code"),
        )
        if answer.status_code not in (403, 404) or not same:
            leaks.append(f"{method} {rule.rule}: {answer.status_code} vs {baseline.status_code}")
    assert checked >= 15
    assert leaks == []
    # The objects are real: their owner sees them.
    for path in (
        f"/api/v1/applications/{ids['application_id']}",
        f"/api/v1/enterprises/{ids['enterprise_id']}",
        f"/api/v1/licences/{ids['licence_id']}",
    ):
        assert client.get(path, headers=owner_headers).status_code == 200
