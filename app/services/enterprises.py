"""Registering enterprises and listing the caller's own.

An enterprise loaded from the licence register has no manager, and its credit code is
public; whoever registers it must prove possession of one of its licences by that
licence's check code (contract v1.1, "claiming an imported enterprise"). Wrong codes are
throttled per user and per client address, and the claim itself is a conditional update,
so of several racing claimants exactly one becomes manager.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import throttle
from app.domain import bulk
from app.domain.transaction import commit
from app.errors import Conflict, TooManyRequests, ValidationFailed, field_error
from app.extensions import db
from app.licences.documents import check_code
from app.licences.lifecycle import issuer_region
from app.models import Enterprise, Licence, User
from permits.catalogue import get_catalogue
from permits.identifiers import (
    credit_code_problem,
    credit_code_region,
    is_region_code,
    normalize_credit_code,
    verification_code_matches,
)
from permits.numbering import NumberingError, format_licence_number, issuer_name

NATIONAL_REGISTRATION = "100000"


def _check_identity(credit_code: str, region_code: str) -> None:
    problem = credit_code_problem(credit_code)
    if problem:
        raise ValidationFailed(
            problem, code="CREDIT_CODE_INVALID", errors={"credit_code": [problem]}
        )
    if not is_region_code(region_code):
        message = "行政区划代码不正确"
        raise field_error("region_code", message, "REGION_CODE_INVALID")
    registered = credit_code_region(credit_code)
    if registered != NATIONAL_REGISTRATION and registered[:2] != region_code[:2]:
        message = "所在地区与统一社会信用代码的登记地不一致"
        raise field_error("region_code", message, "REGION_MISMATCH")
    if not region_is_served(region_code):
        message = "本系统尚未开通该地区的许可办理，请向所在地应急管理部门咨询"
        raise field_error("region_code", message, "REGION_NOT_SERVED")


def region_is_served(region_code: str) -> bool:
    """Whether every permit type's licence could be numbered and issued for this region.

    An enterprise the office cannot number would register fine and then fail at approval,
    so only regions with a complete entry in ``permits/regions.yaml`` are accepted.
    """
    for permit_type in get_catalogue().values():
        region = issuer_region(permit_type, region_code)
        try:
            format_licence_number(permit_type.number_template, region_code=region, year=2000, seq=1)
            issuer_name(region)
        except NumberingError:
            return False
    return True


def _already_claimed() -> Conflict:
    return Conflict(
        "该企业已由其他用户认领，如有疑问请联系办事大厅", code="ENTERPRISE_ALREADY_CLAIMED"
    )


def _proof_required(message: str) -> Conflict:
    return Conflict(message, code="ENTERPRISE_CLAIM_PROOF_REQUIRED", errors={"claim": [message]})


def _claim_keys(user: User, address: str) -> list[tuple[str, ...]]:
    return [("claim-user", str(user.id)), ("claim-addr", address)]


def _check_proof(enterprise: Enterprise, user: User, claim: dict | None, address: str) -> None:
    """Refuse unless ``claim`` names one of the enterprise's licences with its check code."""
    if not claim:
        raise _proof_required("该企业已在许可证登记册中，认领须提供其一份许可证的编号和核验码")
    limit = current_app.config["ENTERPRISE_CLAIM_LIMIT"]
    keys = _claim_keys(user, address)
    if not all(throttle.allowed(limit, *key) for key in keys):
        raise TooManyRequests(
            "核验码错误次数过多，请稍后再试",
            code="ENTERPRISE_CLAIM_THROTTLED",
            title="请求过于频繁",
            headers={"Retry-After": str(max(throttle.retry_after(limit, *k) for k in keys))},
        )
    licence = db.session.scalars(
        select(Licence).where(
            Licence.number == claim["licence_number"].strip(),
            Licence.enterprise_id == enterprise.id,
        )
    ).first()
    secret = current_app.config["LICENCE_CHECK_SECRET"].encode()
    if licence is None or not verification_code_matches(secret, licence.number, claim["code"]):
        for key in keys:
            throttle.hit(limit, *key)
        raise _proof_required("许可证编号或核验码不正确")


def _claim(enterprise: Enterprise, user: User, data: dict, address: str) -> Enterprise:
    _check_proof(enterprise, user, data.get("claim"), address)
    claimed = bulk.execute(
        update(Enterprise)
        .where(Enterprise.id == enterprise.id, Enterprise.manager_id.is_(None))
        .values(manager_id=user.id, contact_phone=data["contact_phone"])
    )
    if claimed != 1:
        db.session.rollback()
        raise _already_claimed()
    commit()
    db.session.refresh(enterprise)
    return enterprise


def register_enterprise(user: User, data: dict, address: str) -> Enterprise:
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
            raise _already_claimed()
        return _claim(existing, user, data, address)
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
        raise _already_claimed() from exc
    return enterprise


def claim_codes(region_prefix: str = "") -> list[tuple[str, str, str, str, str]]:
    """(licence number, enterprise, credit code, region, check code) of unclaimed enterprises.

    The office hands these out so an imported enterprise's real holder can claim it.
    """
    rows = db.session.execute(
        select(Licence, Enterprise)
        .join(Enterprise, Licence.enterprise_id == Enterprise.id)
        .where(
            Enterprise.manager_id.is_(None),
            Enterprise.region_code.startswith(region_prefix, autoescape=True),
        )
        .order_by(Enterprise.region_code, Licence.number)
    ).all()
    return [
        (lic.number, firm.name, firm.credit_code, firm.region_code, check_code(lic))
        for lic, firm in rows
    ]


def list_enterprises(user: User) -> list[Enterprise]:
    return list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.manager_id == user.id).order_by(Enterprise.id)
        )
    )
