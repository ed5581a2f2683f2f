"""Test-data factories: users, tokens, enterprises, applications and files."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
from datetime import date
from typing import Any

from flask import current_app
from flask.testing import FlaskClient
from reportlab.pdfgen import canvas
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.security import generate_password_hash

from app import timekeeping
from app.domain.materials import material_statuses
from app.extensions import db
from app.licences.holder import enterprise_holder
from app.models import Application, Blob, Document, Enterprise, Licence, MaterialVerdict, User
from app.services import identity
from app.services.documents import storage
from app.web.auth import issue_token
from permits.catalogue import get_permit_type
from permits.identifiers import credit_code_check_char, register_elicence_identifier

_serial = itertools.count(1)


def credit_code(region: str = "120101", seed: int | None = None) -> str:
    """A valid 统一社会信用代码 registered in ``region``."""
    seed = next(_serial) if seed is None else seed
    body = f"91{region}MA{seed:07d}"[:17]
    return body + credit_code_check_char(body)


def headers(user: User) -> dict[str, str]:
    token, _ = issue_token(user)
    return {"Authorization": f"Bearer {token}"}


def applicant(code: str | None = None) -> User:
    return identity.login_with_wechat(code or f"applicant-{next(_serial)}")


STAFF_PASSWORD = "correct-horse-9"


@functools.cache
def _cheap_hash(password: str) -> str:
    """A real scrypt hash of ``password`` at a low work factor, computed once per run.

    The production cost (``identity.create_staff``) takes about a third of a second to hash
    and again to check; at six staff per workflow test that was most of the suite's time.
    Logging in still checks the password the same way, only cheaper; the production path is
    tested where staff are created through the CLI and the admin API.
    """
    return generate_password_hash(password, method="scrypt:1024:8:1")


def staff(roles: list[str] | str, region: str = "120000", username: str | None = None) -> User:
    """A staff account with password ``STAFF_PASSWORD``, inserted directly."""
    roles = [roles] if isinstance(roles, str) else roles
    name = username or f"{roles[0]}-{next(_serial)}"
    user = User(
        kind="staff",
        username=name,
        password_hash=_cheap_hash(STAFF_PASSWORD),
        display_name=name,
        roles=sorted(set(roles)),
        region_code=region,
    )
    db.session.add(user)
    db.session.commit()
    return user


def enterprise(manager: User | None, region: str = "120101", **overrides: Any) -> Enterprise:
    values = {
        "name": f"天津测试化工有限公司{next(_serial)}",
        "credit_code": credit_code(region),
        "legal_representative": "张三",
        "address": "天津市和平区测试路1号",
        "region_code": region,
        "contact_phone": "13800138000",
        "manager_id": manager.id if manager else None,
    }
    values.update(overrides)
    item = Enterprise(**values)
    db.session.add(item)
    db.session.commit()
    return item


def example_form(permit_type: str = "hazchem-trading", kind: str = "new") -> dict:
    """The catalogue's example form (empty for an unknown type or kind)."""
    known = get_permit_type(permit_type)
    return dict(known.example_forms.get(kind, {})) if known else {}


DELIVERY = {"recipient": "李四", "phone": "13912345678", "address": "天津市和平区测试路1号"}


def application_body(
    enterprise_id: int, permit_type: str = "hazchem-trading", kind: str = "new", **overrides: Any
) -> dict:
    body = {
        "enterprise_id": enterprise_id,
        "permit_type": permit_type,
        "kind": kind,
        "form": example_form(permit_type, kind),
        "delivery": dict(DELIVERY),
    }
    body.update(overrides)
    return body


@functools.cache
def pdf_bytes(text: str = "zerovisit") -> bytes:
    """A small but well-formed PDF (drawn once per text, reused across tests)."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


PDF = "application/pdf"


def upload(
    client: FlaskClient,
    auth: dict,
    application_id: int,
    material: str,
    content: bytes | None = None,
    filename: str = "scan.pdf",
    **kwargs: Any,
):
    data = {"material": material, "file": (io.BytesIO(content or pdf_bytes(material)), filename)}
    return client.post(
        f"/api/v1/applications/{application_id}/documents",
        data=data,
        headers=auth,
        content_type="multipart/form-data",
        **kwargs,
    )


def create_application(
    client: FlaskClient, auth: dict, enterprise_id: int, **overrides: Any
) -> dict:
    response = client.post(
        "/api/v1/applications", json=application_body(enterprise_id, **overrides), headers=auth
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def attach_required(application: Application, *, include_deferrable: bool = True) -> None:
    """Store and record a file for every required material still missing, as a completed
    upload leaves them (the upload request itself is tested in tests/api/test_documents.py)."""
    for status in material_statuses(application):
        if not status.material.required or status.documents:
            continue
        if status.deferrable and not include_deferrable:
            continue
        content = pdf_bytes(status.material.code)
        sha256 = storage().put_bytes(content)
        if db.session.get(Blob, sha256) is None:
            db.session.add(Blob(sha256=sha256, size=len(content), content_type=PDF))
        db.session.add(
            Document(
                application=application,
                material_code=status.material.code,
                sha256=sha256,
                filename="scan.pdf",
                content_type=PDF,
                size=len(content),
                uploaded_by=application.created_by,
            )
        )
    application.updated_at = timekeeping.now()  # a new version, as an upload makes
    flag_modified(application, "updated_at")
    db.session.commit()


def upload_required(
    client: FlaskClient, auth: dict, view: dict, *, include_deferrable: bool = True
) -> dict:
    """Give every required material still missing a file; return the fresh view.

    Directly, not over HTTP: ten multipart requests per case were the largest part of the
    workflow tests' set-up.
    """
    application = db.session.get(Application, view["id"])
    attach_required(application, include_deferrable=include_deferrable)
    return client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()


def act(client: FlaskClient, auth: dict, view: dict, action: str, **fields: Any):
    return client.post(
        f"/api/v1/applications/{view['id']}/actions",
        json={"action": action, "version": view["version"], **fields},
        headers=auth,
    )


def licence(
    enterprise: Enterprise,
    permit_type: str = "hazchem-trading",
    *,
    valid_from: str = "2024-02-01",
    valid_until: str = "2027-01-31",
    number: str | None = None,
    form: dict | None = None,
    **overrides: Any,
):
    """A licence on the register (as if imported), held by ``enterprise``; its identifier is
    the one the import allocates."""
    number = number or f"津安经〔2024〕{next(_serial):06d}"
    known = get_permit_type(permit_type)
    type_code = known.type_code if known is not None else "AJ000"
    issuer = current_app.config["ISSUER_CREDIT_CODE"]
    overrides.setdefault("identifier", register_elicence_identifier(type_code, issuer, number))
    item = Licence(
        number=number,
        permit_type=permit_type,
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        holder=enterprise_holder(
            enterprise, form if form is not None else example_form(permit_type, "new")
        ),
        issuer_name="天津市应急管理局",
        issued_on=date.fromisoformat(valid_from),
        valid_from=date.fromisoformat(valid_from),
        valid_until=date.fromisoformat(valid_until),
        source="imported",
        **overrides,
    )
    db.session.add(item)
    db.session.commit()
    return item


def case_in_state(
    enterprise: Enterprise,
    state: str,
    creator: User,
    *,
    permit_type: str = "hazchem-trading",
    recommendation: str | None = None,
):
    """A case placed directly in ``state`` with every material uploaded and verified.

    For tests that need many cases at a late stage (races, numbering) without driving each
    one through twenty requests; the workflow paths themselves are tested over HTTP.
    """
    form = example_form(permit_type, "new")
    content = pdf_bytes("case")
    sha = hashlib.sha256(content).hexdigest()
    if db.session.get(Blob, sha) is None:
        db.session.add(Blob(sha256=sha, size=len(content), content_type="application/pdf"))
    application = Application(
        number=f"ZVTEST{next(_serial):08d}",
        enterprise_id=enterprise.id,
        permit_type=permit_type,
        kind="new",
        state=state,
        region_code=enterprise.region_code,
        form=form,
        delivery=dict(DELIVERY),
        created_by=creator.id,
        recommendation=recommendation,
        inspection_result="pass",
    )
    db.session.add(application)
    db.session.flush()
    for material in get_permit_type(permit_type).materials_for("new", form):
        document = Document(
            application_id=application.id,
            material_code=material.code,
            sha256=sha,
            filename="scan.pdf",
            content_type="application/pdf",
            size=len(content),
            uploaded_by=creator.id,
        )
        db.session.add(document)
        db.session.flush()
        db.session.add(
            MaterialVerdict(
                application_id=application.id,
                material_code=material.code,
                document_id=document.id,
                verdict="ok",
                reviewer_id=creator.id,
            )
        )
    db.session.commit()
    return application
