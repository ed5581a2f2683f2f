"""Creating, editing, listing and presenting applications."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, select

from app import timekeeping
from app.domain import access, agency, assignment, materials, timeline
from app.domain.case_facts import (
    EDITABLE_STATES,
    SUBMIT_ACTIONS,
    actor_for,
    case_facts,
    check_version,
)
from app.domain.permit_types import require_permit_type
from app.domain.timeline import entries
from app.domain.transaction import commit
from app.errors import Conflict, NotFound, ValidationFailed, field_error
from app.extensions import db
from app.licences.lifecycle import (
    check_can_amend,
    direct_extension_eligible,
    particulars_to_supply,
    prefill_form,
)
from app.models import Application, Enterprise, Licence, TimelineEntry, User
from app.services import phone
from app.services.application_shown import PERSONAL_FIELDS, ShownApplication, ShownEntry
from app.services.modes import filter_actions
from permits.catalogue import PermitType
from permits.form_validation import draft_form_errors
from permits.identifiers import (
    id_number_problem,
    mask_phone,
    normalize_id_number,
)
from workflows.definitions import get_workflow
from workflows.engine import CaseFacts, Transition

PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
ID_NUMBER_FIELDS = ("worker_id_number",)


def _validate_delivery(delivery: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key, label in (("recipient", "收件人"), ("phone", "联系电话"), ("address", "收件地址")):
        value = delivery.get(key)
        if not isinstance(value, str) or not value.strip():
            errors[f"delivery.{key}"] = [f"请填写{label}"]
    phone = delivery.get("phone")
    if isinstance(phone, str) and phone.strip() and not PHONE_PATTERN.match(phone.strip()):
        errors["delivery.phone"] = ["联系电话格式不正确"]
    extra = set(delivery) - {"recipient", "phone", "address"}
    for key in sorted(extra):
        errors[f"delivery.{key}"] = ["不支持的字段"]
    return errors


def _form_check(
    permit_type: PermitType, kind: str, form: Any
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``(invalid, incomplete)`` errors of ``form``: a draft may keep only the incomplete ones."""
    invalid, incomplete = draft_form_errors(permit_type.form_schema[kind], form)
    if isinstance(form, dict):
        for field in ID_NUMBER_FIELDS:
            value = form.get(field)
            if isinstance(value, str) and value.strip() and f"form.{field}" not in invalid:
                problem = id_number_problem(normalize_id_number(value))
                if problem:
                    invalid[f"form.{field}"] = [problem]
    return invalid, incomplete


def _draft_form_problems(permit_type: PermitType, kind: str, form: Any) -> dict[str, list[str]]:
    """What a draft may not keep: wrong types, formats and values (missing fields are fine)."""
    return _form_check(permit_type, kind, form)[0]


def form_errors(application: Application) -> dict[str, list[str]]:
    """Everything that keeps the case's form from being submitted; empty when complete."""
    permit_type = materials.permit_type_of(application)
    form = application.form or {}
    invalid, incomplete = _form_check(permit_type, application.kind, form)
    licence = application.licence if application.licence_id else None
    incomplete = {
        **incomplete,
        **_particulars_missing(licence, permit_type, application.kind, form),
    }
    merged = {path: list(messages) for path, messages in incomplete.items()}
    for path, messages in invalid.items():
        merged.setdefault(path, []).extend(m for m in messages if m not in merged[path])
    return merged


def check_form_complete(application: Application) -> None:
    """Refuse submission while the form has gaps or errors: 409 ``FORM_INCOMPLETE``."""
    errors = form_errors(application)
    if errors:
        first = next(iter(errors.values()))[0]
        raise Conflict(
            f"表单尚未填写完整（共{len(errors)}项），请补全后再提交：{first}",
            code="FORM_INCOMPLETE",
            title="表单尚未填写完整",
            errors=errors,
        )


def _normalise_ids(form: Any) -> Any:
    """ID numbers stored as the standard writes them: no blanks, check character ``X``."""
    if not isinstance(form, dict):
        return form
    return {
        key: value.strip().upper() if key in ID_NUMBER_FIELDS and isinstance(value, str) else value
        for key, value in form.items()
    }


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        path, messages = next(iter(errors.items()))
        raise ValidationFailed(f"{path}：{messages[0]}", errors=errors)


def _unmask(new: dict, old: dict) -> dict:
    """A masked value sent back unchanged (the phone only saw the mask) keeps the stored one."""
    merged = dict(new)
    for field, mask in PERSONAL_FIELDS.items():
        if field in merged and field in old and merged[field] == mask(old[field]):
            merged[field] = old[field]
    return merged


def _keep_read_only(schema: dict, form: dict, recorded: dict) -> dict:
    """Fields the schema marks readOnly keep the licence's values (changing them is a new
    application, not a renewal or change)."""
    kept = dict(form)
    for key, spec in schema.get("properties", {}).items():
        if spec.get("readOnly") and key in recorded:
            kept[key] = recorded[key]
    return kept


def _particulars_missing(
    licence: Licence | None, permit_type: PermitType, kind: str, form: Any
) -> dict[str, list[str]]:
    """A particular the licence does not record (imported without it) must be given now: the
    renewed licence has to print it."""
    if licence is None or not isinstance(form, dict):
        return {}
    return {
        f"form.{name}": [f"原许可证未记载{permit_type.licence_fields[name]}，请填写"]
        for name in particulars_to_supply(licence, permit_type, kind)
        if form.get(name) in (None, "", [])
    }


def _source_licence(
    enterprise: Enterprise, permit_type: str, kind: str, licence_id: int | None
) -> Licence | None:
    if kind == "new":
        if licence_id is not None:
            message = "新申请不需要指定许可证"
            raise field_error("licence_id", message)
        return None
    if licence_id is None:
        message = "延续或变更须指定原许可证"
        raise field_error("licence_id", message, "LICENCE_REQUIRED")
    licence = db.session.get(Licence, licence_id)
    if licence is None or licence.enterprise_id != enterprise.id:
        raise NotFound("许可证不存在", code="LICENCE_NOT_FOUND")
    check_can_amend(licence, permit_type, kind)
    return licence


def create_application(user: User, data: dict) -> Application:
    """A new draft for one of the caller's enterprises, its form checked against the catalogue."""
    enterprise = access.get_enterprise(user, data["enterprise_id"])
    agency.check_may_prepare(user, enterprise)  # staff only as an agent under consent
    data = {**data, "delivery": phone.prefill_delivery(user, data["delivery"])}
    permit_type = require_permit_type(data["permit_type"])
    kind = data["kind"]
    if kind not in permit_type.kinds:
        message = "该事项不支持此申请类型"
        raise field_error("kind", message, "KIND_NOT_SUPPORTED")
    licence = _source_licence(enterprise, permit_type.code, kind, data.get("licence_id"))
    form = data.get("form") or {}
    if licence is not None:
        recorded = prefill_form(licence, permit_type, kind)
        form = _keep_read_only(permit_type.form_schema[kind], {**recorded, **form}, recorded)
    form = _normalise_ids(form)
    _raise_if(
        {**_draft_form_problems(permit_type, kind, form), **_validate_delivery(data["delivery"])}
    )
    application = Application(
        number=f"tmp-{uuid.uuid4().hex[:24]}",
        enterprise=enterprise,
        permit_type=permit_type.code,
        kind=kind,
        state="draft",
        region_code=enterprise.region_code,
        form=form,
        delivery={k: v.strip() for k, v in data["delivery"].items()},
        licence_id=licence.id if licence else None,
        created_by=user.id,
    )
    if licence is not None and kind == "renewal":
        application.direct_extension = direct_extension_eligible(licence, permit_type, form)
    db.session.add(application)
    db.session.flush()
    application.number = f"ZV{timekeeping.today():%Y%m%d}{application.id:06d}"
    timeline.append(
        application,
        user=user,
        role=agency.timeline_role(user),
        action="create",
        from_state=None,
        to_state="draft",
    )
    commit()
    return application


def update_application(
    user: User, application_id: int, data: dict, version: int | None
) -> Application:
    """Edit a draft (or a case returned for supplement): form and delivery address."""
    application = access.get_application(user, application_id, lock=True)
    agency.check_may_prepare(user, application)
    check_version(application, version)
    if application.state not in EDITABLE_STATES:
        raise Conflict("只有草稿或待补正的申请可以修改", code="APPLICATION_NOT_EDITABLE")
    permit_type = materials.permit_type_of(application)
    errors: dict[str, list[str]] = {}
    if "form" in data:
        form = data["form"]
        if isinstance(form, dict):
            form = _unmask(form, application.form)
            if application.licence_id is not None:
                schema = permit_type.form_schema[application.kind]
                form = _keep_read_only(schema, form, application.form)
        form = _normalise_ids(form)
        errors.update(_draft_form_problems(permit_type, application.kind, form))
    if "delivery" in data:
        delivery = dict(data["delivery"])
        if delivery.get("phone") == mask_phone(application.delivery.get("phone", "")):
            delivery["phone"] = application.delivery.get("phone")
        errors.update(_validate_delivery(delivery))
    _raise_if(errors)
    if "form" in data:
        application.form = form
    if "delivery" in data:
        application.delivery = {k: v.strip() for k, v in delivery.items()}
    commit()
    return application


def list_applications(
    user: User, *, state: str | None, permit_type: str | None, page: int, page_size: int
) -> tuple[list[Application], int]:
    query = access.scope_applications(select(Application), user)
    if state:
        query = query.where(Application.state == state)
    if permit_type:
        query = query.where(Application.permit_type == permit_type)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Application.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(items), int(total or 0)


def available_actions(
    user: User,
    application: Application,
    facts: CaseFacts | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[str]:
    """The actions ``user`` may take now (``facts``, ``errors``: the case facts and form
    errors, when the caller has them already)."""
    workflow = get_workflow(application.kind)
    facts = facts or case_facts(application)
    actions = workflow.available(facts, actor_for(user, application))
    if errors is None and SUBMIT_ACTIONS & set(actions):
        errors = form_errors(application)
    if SUBMIT_ACTIONS & set(actions) and errors:
        # The phone draws its buttons from this list: no "submit" while the form has gaps.
        actions = [a for a in actions if a not in SUBMIT_ACTIONS]
    actions = assignment.reviewer_steps_allowed(user, application, actions)
    return filter_actions(user, application, actions) + assignment.office_actions(user, application)


def available_transitions(user: User, application: Application) -> list[Transition]:
    """The transitions behind ``available_actions``: label and fields of each action."""
    workflow = get_workflow(application.kind)
    facts = case_facts(application)
    actor = actor_for(user, application)
    found = (workflow.transition_for(facts, action) for action in workflow.available(facts, actor))
    return [transition for transition in found if transition is not None]


def shown(user: User, application: Application) -> ShownApplication:
    """The application resource as ``user`` may see it (``ApplicationSchema`` dumps it)."""
    statuses = materials.material_statuses(application)
    errors = form_errors(application)
    actions = available_actions(user, application, case_facts(application, statuses), errors)
    return ShownApplication(user, application, statuses, errors, actions)


def timeline_entries(user: User, application_id: int) -> list[TimelineEntry | ShownEntry]:
    """Everything that happened to a case ``user`` may see, in order: the applicant's
    leaves out the office's internal hand-overs and urgings."""
    application = access.get_application(user, application_id)
    if user.is_staff:
        return [ShownEntry(e) for e in entries(application)]
    return [e for e in entries(application) if e.action not in assignment.STAFF_ONLY_ENTRIES]
