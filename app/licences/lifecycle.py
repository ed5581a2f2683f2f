"""Issuing, presenting and ending licences.

A number is taken with one atomic ``UPDATE … RETURNING`` on the issuer's sequence row, in
the approving transaction: the row stays locked until commit, so concurrent approvals get
consecutive numbers and a rolled-back approval gives its number back (no gaps, no
duplicates). The PDF is rendered, signed and stored in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from app import timekeeping
from app.domain import bulk, events
from app.domain.permit_types import require_permit_type
from app.errors import Conflict, field_error
from app.extensions import db
from app.licences.documents import store_licence_documents
from app.licences.holder import enterprise_holder, with_person
from app.models import Application, Licence, LicenceSequence
from app.sql import insert_ignore
from permits.catalogue import PermitType
from permits.identifiers import elicence_identifier, region_at_level
from permits.numbering import (
    NumberingError,
    format_licence_number,
    issuer_name,
    number_scope,
)
from workflows.definitions.common import BEFORE_APPROVAL

# A case still being decided: a licence with one open may not be renewed or changed again.
OPEN_STATES = BEFORE_APPROVAL


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


STATUS_LABELS = {
    "pending": "未生效",
    "active": "有效",
    "expiring": "即将到期",
    "expired": "已过期",
    "superseded": "已被替代",
    "revoked": "已吊销",
}


def licence_status(licence: Licence, today: date | None = None) -> str:
    """pending (renewed, not yet started) | active | expiring (inside the renewal window) |
    expired | superseded | revoked.

    A renewed licence runs from the day after the old one ends (Art. 50): until then the new
    one is pending and the old one stays in force; after its last day the old one is
    superseded rather than expired.
    """
    if licence.terminal_status:
        return licence.terminal_status
    today = today or timekeeping.today()
    if licence.valid_from > today:
        return "pending"
    if licence.valid_until < today:
        return "superseded" if has_successor(licence) else "expired"
    window = require_permit_type(licence.permit_type).renewal_window_days
    if (licence.valid_until - today).days <= window:
        return "expiring"
    return "active"


def has_successor(licence: Licence) -> bool:
    """Whether a renewal issued a licence that follows this one."""
    if licence.successor_loaded is not None:
        return licence.successor_loaded
    return bool(db.session.scalar(select(successor_exists(licence.id))))


def note_successors(licences: list[Licence]) -> None:
    """Which of ``licences`` a renewal follows, in one statement, for ``has_successor``."""
    if not licences:
        return
    following = aliased(Licence)
    followed = set(
        db.session.scalars(
            select(following.supersedes_id).where(
                following.supersedes_id.in_([licence.id for licence in licences]),
                _not_revoked(following),
            )
        )
    )
    for licence in licences:
        set_committed_value(licence, "successor_loaded", licence.id in followed)


def successor_exists(licence_id: Any = Licence.id):
    """SQL: the licence ``licence_id`` (by default the row's ``Licence``) has a renewed
    successor that was not revoked."""
    following = aliased(Licence)
    return exists().where(following.supersedes_id == licence_id, _not_revoked(following))


def _not_revoked(licence: Any) -> Any:
    return or_(licence.terminal_status.is_(None), licence.terminal_status != "revoked")


def supersede_ended_licences(today: date | None = None) -> int:
    """Mark renewed licences past their last day as superseded (the daily sweep)."""
    today = today or timekeeping.today()
    ended = list(
        db.session.scalars(
            select(Licence)
            .where(
                Licence.terminal_status.is_(None), Licence.valid_until < today, successor_exists()
            )
            .with_for_update(of=Licence)
        )
    )
    if not ended:
        return 0
    marked = bulk.execute(
        update(Licence)
        .where(Licence.id.in_([licence.id for licence in ended]))
        .values(terminal_status="superseded", version=Licence.version + 1)
        .execution_options(synchronize_session=False)
    )
    for licence in ended:  # the feed reports each, in the sweep's transaction
        events.licence_event(licence, "superseded")
    return marked


def days_to_expiry(licence: Licence, today: date | None = None) -> int:
    return (licence.valid_until - (today or timekeeping.today())).days


def issuer_region(permit_type: PermitType, region_code: str) -> str:
    """The region of the issuing bureau for a case filed in ``region_code``."""
    return region_at_level(region_code, permit_type.authority_level)


def check_can_amend(licence: Licence, permit_type_code: str, kind: str) -> None:
    """Refuse a renewal or change the licence does not allow now."""
    if licence.permit_type != permit_type_code:
        message = "所选许可证与申请事项不一致"
        raise field_error("licence_id", message, "LICENCE_MISMATCH")
    status = licence_status(licence)
    if status == "pending":
        raise Conflict("该许可证尚未生效，不能办理延续或变更", code="LICENCE_NOT_ACTIVE")
    if status not in ("active", "expiring"):
        raise Conflict("该许可证已失效，不能办理延续或变更", code="LICENCE_NOT_ACTIVE")
    if has_successor(licence):
        raise Conflict("该许可证已准予延续，请以新证办理", code="LICENCE_ALREADY_RENEWED")
    if kind == "renewal" and status != "expiring":
        window = require_permit_type(licence.permit_type).renewal_window_days
        opens = licence.valid_until - timedelta(days=window)
        raise Conflict(
            f"延续申请自{opens:%Y年%m月%d日}起方可提交（有效期届满前{window}日内）",
            code="RENEWAL_WINDOW_NOT_OPEN",
        )
    pending = db.session.scalars(
        select(Application.id).where(
            Application.licence_id == licence.id, Application.state.in_(OPEN_STATES)
        )
    ).first()
    if pending is not None:
        raise Conflict("该许可证已有正在办理的申请", code="LICENCE_HAS_OPEN_APPLICATION")


def prefill_form(licence: Licence, permit_type: PermitType, kind: str) -> dict:
    """The licence's recorded form values that the ``kind`` form also asks for."""
    properties = permit_type.form_schema[kind].get("properties", {})
    recorded = licence.holder.get("form", {})
    return {key: value for key, value in recorded.items() if key in properties}


def particulars_to_supply(licence: Licence, permit_type: PermitType, kind: str) -> list[str]:
    """Required particulars the licence does not record (an imported one may lack them) and
    the ``kind`` form asks for: the applicant must give them, even where read-only."""
    properties = permit_type.form_schema[kind].get("properties", {})
    missing = permit_type.missing_particulars(licence.holder.get("form") or {})
    return [name for name in missing if name in properties]


def allocate_serial(permit_type: str, region: str, year: int) -> int:
    """The next serial of a sequence for ``year``, held until commit. ``region`` keys it: a
    notice's authority (``authority_region``) or a licence number's scope (``number_scope``)."""
    key = {"permit_type": permit_type, "issuer_region": region, "year": year}
    db.session.execute(insert_ignore(LicenceSequence.__table__, {**key, "last_seq": 0}))
    return db.session.execute(
        update(LicenceSequence)
        .where(
            LicenceSequence.permit_type == permit_type,
            LicenceSequence.issuer_region == region,
            LicenceSequence.year == year,
        )
        .values(last_seq=LicenceSequence.last_seq + 1)
        .returning(LicenceSequence.last_seq)
    ).scalar_one()


def _holder(application: Application, permit_type: PermitType, previous: Licence | None) -> dict:
    """What the licence prints about its holder: a renewal or change carries on the old
    licence's particulars, overridden by what the application says."""
    recorded = dict(previous.holder.get("form") or {}) if previous is not None else {}
    holder = enterprise_holder(application.enterprise, {**recorded, **(application.form or {})})
    if permit_type.holder == "person":
        return with_person(holder, application.form)
    return holder


def _validity(
    application: Application, permit_type: PermitType, issued_on: date, previous: Licence | None
) -> tuple[date, date]:
    if application.kind == "change" and previous is not None:
        return previous.valid_from, previous.valid_until
    start = issued_on
    if application.kind == "renewal" and previous is not None and previous.valid_until >= issued_on:
        start = previous.valid_until + timedelta(days=1)
    return start, add_years(start, permit_type.validity_years) - timedelta(days=1)


def _change_note(application: Application, issued_on: date) -> str | None:
    if application.kind != "change":
        return None
    items = application.form.get("change_items") or []
    return f"{issued_on:%Y年%m月%d日}变更：{'、'.join(items) or '许可事项'}"


def check_particulars(permit_type: PermitType, holder: dict) -> None:
    """No licence is issued with a particular its type requires left empty."""
    missing = permit_type.missing_particulars(holder.get("form") or {})
    if missing:
        labels = "、".join(permit_type.licence_fields[name] for name in missing)
        raise Conflict(
            f"许可证记载事项不完整，缺少：{labels}，请申请人补充后再作决定",
            code="LICENCE_PARTICULARS_MISSING",
        )


def issue_licence(application: Application) -> Licence:
    """Create the licence an approval grants, superseding the one renewed or changed."""
    permit_type = require_permit_type(application.permit_type)
    previous = db.session.get(Licence, application.licence_id) if application.licence_id else None
    holder = _holder(application, permit_type, previous)
    check_particulars(permit_type, holder)
    issued_on = timekeeping.today()
    region = issuer_region(permit_type, application.region_code)
    try:
        scope = number_scope(permit_type.number_template, region)
        serial = allocate_serial(permit_type.code, scope, issued_on.year)
        number = format_licence_number(
            permit_type.number_template, region_code=region, year=issued_on.year, seq=serial
        )
        issuer = issuer_name(region)
    except NumberingError as exc:
        # Raised inside the approval's transaction: nothing of it is kept, the case stays
        # decidable, and the office learns what to add to permits/regions.yaml.
        raise Conflict(f"无法生成许可证编号：{exc}", code="LICENCE_NUMBERING_UNAVAILABLE") from exc
    valid_from, valid_until = _validity(application, permit_type, issued_on, previous)
    licence = Licence(
        number=number,
        identifier=elicence_identifier(
            permit_type.type_code,
            current_app.config["ISSUER_CREDIT_CODE"],
            f"{issued_on.year}{region}{serial:06d}",
            1,
        ),
        permit_type=permit_type.code,
        enterprise_id=application.enterprise_id,
        region_code=application.region_code,
        holder=holder,
        issuer_name=issuer,
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        supersedes_id=previous.id if previous else None,
        application_id=application.id,
        change_note=_change_note(application, issued_on),
        source="issued",
    )
    db.session.add(licence)
    if previous is not None and valid_from <= issued_on:
        # A change replaces at once; a renewal waits for the old licence's last day.
        previous.terminal_status = "superseded"
    db.session.flush()
    application.issued_licence_id = licence.id
    events.licence_event(licence, "issued", previous.number if previous else None)
    if previous is not None and previous.terminal_status == "superseded":
        events.licence_event(previous, "superseded")
    signing_time = timekeeping.now()
    store_licence_documents(licence, signing_time)
    return licence


def direct_extension_eligible(licence: Licence, permit_type: PermitType, form: dict) -> bool:
    """Whether a renewal may skip review and inspection (直接延期), per the catalogue's rules.

    Conditions are data in the catalogue; the ones known here: no revocation of a licence
    of the enterprise in this licence's period, no fatal accident (declared on the form and
    none recorded by the office), and no bad-credit (失信) record.
    """
    rule = permit_type.direct_extension
    if not rule.allowed or licence.enterprise.bad_credit:
        return False
    checks = {
        "no_revocation_in_period": lambda: (
            db.session.scalar(
                select(func.count())
                .select_from(Licence)
                .where(
                    Licence.enterprise_id == licence.enterprise_id,
                    Licence.terminal_status == "revoked",
                    Licence.revoked_at
                    >= datetime.combine(licence.valid_from, time.min, tzinfo=timekeeping.OFFICE_TZ),
                )
            )
            == 0
        ),
        "no_fatal_accident_declared": lambda: (
            form.get("no_fatal_accident") is True
            and (
                licence.enterprise.fatal_accident_on is None
                or licence.enterprise.fatal_accident_on < licence.valid_from
            )
        ),
    }
    return all(checks[condition]() for condition in rule.conditions if condition in checks)
