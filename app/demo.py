"""Demo data for ``make run``: staff, an applicant, enterprises and cases in several states.

Cases are driven through the same services the API uses, so the demo shows real timelines,
clocks and licences rather than rows typed in by hand.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, Enterprise, User
from app.services import cases, documents, identity
from permits.catalogue import get_permit_type
from permits.identifiers import credit_code_check_char

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo, refused in production
STAFF = [
    ("clerk", ["clerk"], "120000"),
    ("reviewer", ["reviewer"], "120000"),
    ("inspector", ["inspector"], "120000"),
    ("approver", ["approver"], "120000"),
    ("dispatcher", ["dispatcher"], "120000"),
    ("admin", ["admin"], "120000"),
    ("heping-clerk", ["clerk", "reviewer"], "120101"),
]
DELIVERY = {"recipient": "王经理", "phone": "13812345678", "address": "天津市和平区南京路100号"}


def _credit_code(body: str) -> str:
    return body + credit_code_check_char(body)


def _upload_all(user: User, application: Application) -> None:
    from io import BytesIO

    from reportlab.pdfgen import canvas
    from werkzeug.datastructures import FileStorage as Upload

    for material in get_permit_type(application.permit_type).materials_for(
        application.kind, application.form
    ):
        if not material.required:
            continue
        buffer = BytesIO()
        page = canvas.Canvas(buffer, invariant=1)
        page.drawString(72, 720, f"demo scan: {material.code}")
        page.save()
        buffer.seek(0)
        upload = Upload(stream=buffer, filename=f"{material.code}.pdf")
        documents.upload_document(user, application.id, material.code, upload)


def _drive(application: Application, steps: list[tuple[User, str, dict]]) -> None:
    for user, action, data in steps:
        current = db.session.get(Application, application.id)
        cases.take_action(user, application.id, action, data, current.version)


def load_demo_data() -> list[tuple[str, list[str], str]] | None:
    """Load the demo when there are no users yet; return the staff accounts created."""
    if db.session.scalar(select(func.count()).select_from(User)):
        return None
    staff = {
        name: identity.create_staff(name, DEMO_PASSWORD, roles, region)
        for name, roles, region in STAFF
    }
    applicant = identity.login_with_wechat("demo-applicant")
    firms = []
    for index, (name, region) in enumerate(
        [("天津滨海化工贸易有限公司", "120101"), ("天津和平安全化学品有限公司", "120101")]
    ):
        firm = Enterprise(
            name=name,
            credit_code=_credit_code(f"91{region}MA0000{index:03d}"),
            legal_representative="王建国",
            address="天津市和平区南京路100号",
            region_code=region,
            contact_phone="13812345678",
            manager_id=applicant.id,
        )
        db.session.add(firm)
        firms.append(firm)
    db.session.commit()

    from app.services.applications import create_application

    def new_case(firm: Enterprise, permit_type: str = "hazchem-trading") -> Application:
        form = dict(get_permit_type(permit_type).example_forms["new"])
        return create_application(
            applicant,
            {
                "enterprise_id": firm.id,
                "permit_type": permit_type,
                "kind": "new",
                "form": form,
                "delivery": DELIVERY,
            },
        )

    new_case(firms[0])  # a draft
    submitted = new_case(firms[0])
    _upload_all(applicant, submitted)
    _drive(submitted, [(applicant, "submit", {})])

    reviewing = new_case(firms[1], "fireworks-wholesale")
    _upload_all(applicant, reviewing)
    _drive(
        reviewing,
        [
            (applicant, "submit", {}),
            (staff["clerk"], "accept", {}),
            (staff["reviewer"], "start_review", {}),
        ],
    )

    issued = new_case(firms[1])
    _upload_all(applicant, issued)
    codes = [
        m.code
        for m in get_permit_type(issued.permit_type).materials_for("new", issued.form)
        if m.required
    ]
    _drive(
        issued,
        [
            (applicant, "submit", {}),
            (staff["clerk"], "accept", {}),
            (staff["reviewer"], "start_review", {}),
            *[
                (staff["reviewer"], "verify_material", {"material": c, "verdict": "ok"})
                for c in codes
            ],
            (staff["reviewer"], "schedule_inspection", {"date": "2026-11-30"}),
            (
                staff["inspector"],
                "record_inspection",
                {"result": "pass", "comment": "现场符合要求"},
            ),
            (staff["reviewer"], "recommend", {"recommendation": "approve", "comment": "符合条件"}),
            (staff["approver"], "approve", {"comment": "准予许可"}),
        ],
    )
    current_app.logger.info("demo data loaded")
    return [(name, roles, region) for name, roles, region in STAFF]
