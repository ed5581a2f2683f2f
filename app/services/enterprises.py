"""Registering enterprises and listing the caller's own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import Enterprise, User
from app.services.transaction import commit
from permits.identifiers import (
    credit_code_problem,
    credit_code_region,
    is_region_code,
    normalize_credit_code,
)

NATIONAL_REGISTRATION = "100000"


def _check_identity(credit_code: str, region_code: str) -> None:
    problem = credit_code_problem(credit_code)
    if problem:
        raise ValidationFailed(
            problem, code="CREDIT_CODE_INVALID", errors={"credit_code": [problem]}
        )
    if not is_region_code(region_code):
        message = "行政区划代码不正确"
        raise ValidationFailed(
            message, code="REGION_CODE_INVALID", errors={"region_code": [message]}
        )
    registered = credit_code_region(credit_code)
    if registered != NATIONAL_REGISTRATION and registered[:2] != region_code[:2]:
        message = "所在地区与统一社会信用代码的登记地不一致"
        raise ValidationFailed(message, code="REGION_MISMATCH", errors={"region_code": [message]})


def register_enterprise(user: User, data: dict) -> Enterprise:
    """Register an enterprise with the caller as its manager; never take over a claimed one."""
    credit_code = normalize_credit_code(data["credit_code"])
    _check_identity(credit_code, data["region_code"])
    existing = db.session.scalars(
        select(Enterprise).where(Enterprise.credit_code == credit_code)
    ).first()
    if existing is not None:
        if existing.manager_id == user.id:
            return existing
        if existing.manager_id is not None:
            raise Conflict(
                "该企业已由其他用户认领，如有疑问请联系办事大厅",
                code="ENTERPRISE_ALREADY_CLAIMED",
            )
        # Known from the licence register but not yet claimed: the first manager claims it.
        existing.manager_id = user.id
        existing.contact_phone = data["contact_phone"]
        commit()
        return existing
    enterprise = Enterprise(
        name=data["name"].strip(),
        credit_code=credit_code,
        legal_representative=data["legal_representative"].strip(),
        address=data["address"].strip(),
        region_code=data["region_code"],
        contact_phone=data["contact_phone"],
        manager_id=user.id,
    )
    db.session.add(enterprise)
    try:
        commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(
            "该企业已由其他用户认领，如有疑问请联系办事大厅", code="ENTERPRISE_ALREADY_CLAIMED"
        ) from exc
    return enterprise


def list_enterprises(user: User) -> list[Enterprise]:
    return list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.manager_id == user.id).order_by(Enterprise.id)
        )
    )
