"""Written notices and decisions (《行政许可法》Art. 32, 38, 40, 42, 44, 50; contract v1.1).

An office decides in writing. Each action that the law answers with a document creates its
notice in the action's own transaction: numbered per issuing authority, kind and year (the
licence sequences' table, so numbers have no gaps; regions printing the same authority share
its sequence, ``authority_region``), its text frozen on the row, linked from
the timeline entry and the inbox message. The PDF is rendered from ``pdf_templates/notice.yaml``
and signed by the authority on first request, then kept (like a licence's).

Refusals and denials carry the reasons and the remedies: 行政复议 within 60 days (《行政复议法》
2023, Art. 20) to the configured body, 行政诉讼 within 6 months (《行政诉讼法》Art. 46) to the
configured court (``REMEDY_REVIEW_BODY``, ``REMEDY_COURT``; by default the people's government
at the issuing authority's level and the competent people's court).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import current_app
from sqlalchemy import select, update

from app import timekeeping
from app.domain import access, materials
from app.domain.permit_types import require_permit_type
from app.domain.transaction import commit
from app.errors import NotFound
from app.extensions import db
from app.integrations.storage import storage_for
from app.licences.documents import signer, typeface
from app.licences.lifecycle import allocate_serial, issuer_region
from app.models import Application, Licence, Notice, Shipment, User
from pdf_templates.notices import NoticeDocument, render_notice
from pdf_templates.render.text import format_cn_date
from permits.catalogue import PermitType
from permits.numbering import authority_region, issuer_name, region_name
from workflows.engine import Outcome

TITLES = {
    "acceptance": "受理通知书",
    "supplement": "补正材料通知书",
    "not_accepted": "不予受理决定书",
    "approval": "准予行政许可决定书",
    "denial": "不予行政许可决定书",
    "extension": "延长审批期限告知书",
    "deemed_acceptance": "视为受理通知书",
    "deemed_approval": "视为准予延续通知书",
    "delivery_receipt": "送达回证",
}
# The short code in a notice's number, e.g. 天津市应急管理局许受〔2026〕00001号.
NUMBER_CODES = {
    "acceptance": "受",
    "supplement": "补",
    "not_accepted": "不受",
    "approval": "准",
    "denial": "不准",
    "extension": "延",
    "deemed_acceptance": "视受",
    "deemed_approval": "视准",
    "delivery_receipt": "送",
}
ACTION_KINDS = {
    "accept": "acceptance",
    "deemed_accept": "deemed_acceptance",
    "request_supplement": "supplement",
    "reject": "not_accepted",
    "approve": "approval",
    "instant_approve": "approval",  # 秒批: the same decision in writing
    "deemed_approve": "deemed_approval",
    "deny": "denial",
    "extend_deadline": "extension",
    "confirm_delivery": "delivery_receipt",
}
KIND_LABELS = {"new": "", "renewal": "延续", "change": "变更"}


def issue_for(application: Application, outcome: Outcome) -> Notice | None:
    """The notice ``outcome`` calls for, added to the session (None for other actions)."""
    kind = ACTION_KINDS.get(outcome.action)
    if kind is None:
        return None
    permit_type = require_permit_type(application.permit_type)
    region = issuer_region(permit_type, application.region_code)
    authority = issuer_name(region)
    today = timekeeping.today()
    serial = allocate_serial(f"notice:{kind}", authority_region(region), today.year)
    paragraphs = PARAGRAPHS[kind](application, permit_type, dict(outcome.data), region)
    notice = Notice(
        application_id=application.id,
        kind=kind,
        title=TITLES[kind],
        number=f"{authority}许{NUMBER_CODES[kind]}〔{today.year}〕{serial:05d}号",
        issued_at=timekeeping.now(),
        content={
            "addressee": _addressee(application, permit_type),
            "paragraphs": paragraphs,
            "issuer_name": authority,
            "issued_on": today.isoformat(),
        },
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def list_notices(user: User, application_id: int) -> list[Notice]:
    """The case's notices, oldest first; the same access as the case itself."""
    application = access.get_application(user, application_id)
    return list(
        db.session.scalars(
            select(Notice).where(Notice.application_id == application.id).order_by(Notice.id)
        )
    )


def get_notice(user: User, application_id: int, notice_id: int) -> tuple[Application, Notice]:
    application = access.get_application(user, application_id)
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.application_id != application.id:
        raise NotFound("文书不存在", code="NOTICE_NOT_FOUND")
    return application, notice


def notice_pdf(application: Application, notice: Notice) -> bytes:
    """The signed PDF of ``notice``, rendered and stored on first use."""
    store = storage_for("notices")
    if notice.pdf_sha256 and store.exists(notice.pdf_sha256):
        return store.read_bytes(notice.pdf_sha256)
    content = notice.content
    document = NoticeDocument(
        title=notice.title,
        number=notice.number,
        addressee=content["addressee"],
        paragraphs=tuple(content["paragraphs"]),
        issuer_name=content["issuer_name"],
        issued_on=date.fromisoformat(content["issued_on"]),
        case_number=application.number,
    )
    unsigned = render_notice(document, typeface=typeface())
    authority = content["issuer_name"]
    signed = signer().sign(
        unsigned,
        reason=f"{authority}{notice.title}",
        location=authority,
        signing_time=notice.issued_at,  # when the office decided, however late it is rendered
    )
    sha256 = store.put_bytes(signed)
    db.session.execute(
        update(Notice)
        .where(Notice.id == notice.id, Notice.pdf_sha256.is_(None))
        .values(pdf_sha256=sha256)
        .execution_options(synchronize_session=False)
    )
    commit()
    db.session.refresh(notice)
    return store.read_bytes(notice.pdf_sha256 or sha256)


# --- what each notice says ------------------------------------------------------------------


def _addressee(application: Application, permit_type: PermitType) -> str:
    if permit_type.holder == "person":
        return application.form.get("worker_name") or application.enterprise.name
    return application.enterprise.name


def _day(value: date | None) -> str:
    return format_cn_date(value) if value else ""


def _received(application: Application) -> str:
    submitted = application.submitted_at or timekeeping.now()
    return format_cn_date(submitted.astimezone(timekeeping.OFFICE_TZ).date())


def _opening(application: Application, permit_type: PermitType) -> str:
    kind = KIND_LABELS.get(application.kind, "")
    return (
        f"你方于{_received(application)}提交的{permit_type.name}{kind}申请"
        f"（申请编号：{application.number}）"
    )


def remedies(region: str) -> str:
    """The applicant's remedies against a refusal or denial, with time limits and bodies."""
    config = current_app.config
    review_body = config.get("REMEDY_REVIEW_BODY") or f"{region_name(region) or ''}人民政府"
    court = config.get("REMEDY_COURT") or "有管辖权的人民法院"
    return (
        f"如不服本决定，可以自收到本决定书之日起六十日内向{review_body}申请行政复议"
        "（《中华人民共和国行政复议法》第二十条），或者自收到本决定书之日起六个月内"
        f"向{court}提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。"
    )


def _acceptance(application, permit_type, data, region) -> list[str]:
    return [
        f"{_opening(application, permit_type)}，申请材料齐全、符合法定形式。根据《中华人民共和国"
        "行政许可法》第三十二条第一款第（五）项，本机关决定予以受理。",
        f"本机关将在法定期限内作出行政许可决定，期限届满日为{_day(application.clock_due)}"
        "（依法不计入期限的时间除外）。",
    ]


def _deemed_acceptance(application, permit_type, data, region) -> list[str]:
    return [
        f"{_opening(application, permit_type)}，本机关未在收到申请材料之日起"
        f"{permit_type.acceptance_limit_days}个工作日内告知需要补正的全部内容。根据《中华人民共和国"
        f"行政许可法》第三十二条第一款第（四）项，自收到申请材料之日（{_received(application)}）"
        "起即为受理。",
        f"行政许可决定期限自该日起计算，期限届满日为{_day(application.clock_due)}。",
    ]


def _supplement(application, permit_type, data, region) -> list[str]:
    names = {m.code: m.name for m in permit_type.materials}
    statuses = {s.material.code: s for s in materials.material_statuses(application)}
    rejected = {v.material_code: v.comment for v in application.verdicts if v.verdict == "rejected"}
    items = []
    for code in data.get("missing_materials", []):
        status = statuses.get(code)
        if code in rejected and rejected[code]:
            why = rejected[code]
        elif status is None or not status.documents:
            why = "未提交该材料"
        else:
            why = "材料不符合法定形式，请按补正说明重新提交"
        items.append(f"- {names.get(code, code)}：{why}")
    return [
        f"{_opening(application, permit_type)}，经审查，申请材料不齐全或者不符合法定形式。根据"
        "《中华人民共和国行政许可法》第三十二条第一款第（四）项，现一次性告知需要补正的全部内容：",
        *items,
        f"补正说明：{data.get('comment', '')}",
        "请补正上述全部材料后重新提交。本机关将在收到补正材料之日起"
        f"{permit_type.acceptance_limit_days}个工作日内决定是否受理。",
    ]


def _not_accepted(application, permit_type, data, region) -> list[str]:
    return [
        f"{_opening(application, permit_type)}，经审查，根据《中华人民共和国行政许可法》第三十二条"
        "第一款，本机关决定不予受理。",
        f"理由：{data.get('comment', '')}",
        remedies(region),
    ]


def _licence_of(application: Application) -> Licence | None:
    if application.issued_licence_id is None:
        return None
    return db.session.get(Licence, application.issued_licence_id)


def _licence_sentence(licence: Licence | None, permit_type: PermitType) -> str:
    if licence is None:
        return ""
    return (
        f"颁发{permit_type.name}（证书编号：{licence.number}，有效期自{_day(licence.valid_from)}"
        f"至{_day(licence.valid_until)}）。"
    )


def _approval(application, permit_type, data, region) -> list[str]:
    licence = _licence_of(application)
    return [
        f"{_opening(application, permit_type)}，经审查，符合法定条件、标准。根据《中华人民共和国"
        "行政许可法》第三十八条第一款，本机关决定准予行政许可，"
        f"{_licence_sentence(licence, permit_type)}",
        "电子证照已同步签发；纸质证书将自本决定作出之日起十日内送达"
        "（《中华人民共和国行政许可法》第四十四条）。",
    ]


def _deemed_approval(application, permit_type, data, region) -> list[str]:
    licence = _licence_of(application)
    old = db.session.get(Licence, application.licence_id) if application.licence_id else None
    old_number = old.number if old else ""
    return [
        f"{_opening(application, permit_type)}，本机关未在原许可证（证书编号：{old_number}）"
        "有效期届满前作出是否准予延续的决定。根据《中华人民共和国行政许可法》第五十条第二款，"
        f"视为准予延续，{_licence_sentence(licence, permit_type)}",
    ]


def _denial(application, permit_type, data, region) -> list[str]:
    return [
        f"{_opening(application, permit_type)}，经审查，不符合法定条件、标准。根据《中华人民共和国"
        "行政许可法》第三十八条第二款，本机关决定不予行政许可。",
        f"理由：{data.get('comment', '')}",
        remedies(region),
    ]


def _extension(application, permit_type, data, region) -> list[str]:
    return [
        f"{_opening(application, permit_type)}，因{data.get('comment', '')}，不能在法定期限内作出"
        "决定。经本机关负责人批准，根据《中华人民共和国行政许可法》第四十二条第一款，审批期限延长"
        f"{application.deadline_extended_days}日，延长后的期限届满日为{_day(application.clock_due)}。",
    ]


def _delivery_receipt(application, permit_type, data, region) -> list[str]:
    licence = _licence_of(application)
    shipment = application_shipment(application)
    delivery = application.delivery or {}
    return [
        f"送达文书：{permit_type.name}（证书编号：{licence.number if licence else ''}）及"
        "准予行政许可决定书",
        f"受送达人：{delivery.get('recipient', '')}（{application.enterprise.name}）",
        "送达方式：邮寄送达"
        + (f"（{shipment.carrier}，运单号：{shipment.tracking_no}）" if shipment else ""),
        f"送达日期：{format_cn_date(timekeeping.today())}",
        "依据：《中华人民共和国行政许可法》第四十四条。",
    ]


def application_shipment(application: Application):
    return db.session.scalars(
        select(Shipment)
        .where(Shipment.application_id == application.id)
        .order_by(Shipment.id.desc())
        .limit(1)
    ).first()


Paragraphs = Callable[[Application, PermitType, dict, str], list[str]]
PARAGRAPHS: dict[str, Paragraphs] = {
    "acceptance": _acceptance,
    "deemed_acceptance": _deemed_acceptance,
    "supplement": _supplement,
    "not_accepted": _not_accepted,
    "approval": _approval,
    "deemed_approval": _deemed_approval,
    "denial": _denial,
    "extension": _extension,
    "delivery_receipt": _delivery_receipt,
}
