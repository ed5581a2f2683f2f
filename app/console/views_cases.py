"""My work (待办), the case page and its actions, documents, dispatch."""

from __future__ import annotations

import io

from flask import redirect, render_template, request, send_file, url_for
from sqlalchemy.orm.exc import StaleDataError

from app.console.action_forms import action_data, action_forms
from app.console.blueprint import bp
from app.console.labels import CHOICE_LABELS, describe
from app.console.session import current_staff, staff_page
from app.console.views_team import case_context, team_reviewers
from app.domain import access, carriers, materials, timeline
from app.errors import AppError, NotFound, VersionConflict
from app.extensions import db
from app.licences.documents import label_pdf
from app.models import Application, User
from app.schemas.application import ApplicationSchema, TimelineEntrySchema
from app.schemas.licence import ShipmentSchema
from app.schemas.notice import NoticeSchema
from app.services import applications as application_service
from app.services import cases, delivery, documents, notices, pii_access, review
from app.web.observability import request_origin
from permits.catalogue import get_catalogue
from permits.identifiers import is_ascii_digits
from workflows.definitions.common import DISPATCH, STATES
from workflows.errors import WorkflowError

NOTICES = NoticeSchema(many=True)  # the notices as the API lists them
APPLICATION = ApplicationSchema()  # a case, as the API shows it to the user
TIMELINE = TimelineEntrySchema(many=True)
PAGE_SIZE = 20
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _case(user: User, application: Application) -> dict:
    return APPLICATION.dump(application_service.shown(user, application))


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return max(int(value), 1) if is_ascii_digits(value) else 1


@bp.route("/queue")
@staff_page()
def queue():
    """待办: cases the user can act on now, earliest deadline first."""
    user = current_staff()
    filters = {
        "state": request.args.get("state") or None,
        "permit_type": request.args.get("permit_type") or None,
        "region": request.args.get("region") or None,
        "overdue": request.args.get("overdue") == "1",
        "assignee": request.args.get("assignee") or None,
    }
    if filters["assignee"] not in (None, "me", "none", "all") and not is_ascii_digits(
        str(filters["assignee"])
    ):
        filters["assignee"] = None
    if filters["region"] and not access.in_region(user, filters["region"]):
        filters["region"] = None
    page = _page_arg()
    items, total = review.queue(
        user,
        state=filters["state"],
        overdue_only=filters["overdue"],
        page=page,
        page_size=PAGE_SIZE,
        permit_type=filters["permit_type"],
        region=filters["region"],
        assignee=filters["assignee"],
    )
    return render_template(
        "console/queue.html",
        reviewers=team_reviewers(user),
        items=[_case(user, a) for a in items],
        regions={a.id: a.region_code for a in items},
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filters=filters,
        counts=review.queue_counts(user),
        states=[s for s in STATES if s.name != "draft"],
        catalogue=get_catalogue(),
    )


@bp.route("/cases")
@staff_page()
def case_list():
    """Every case of the region (not only those waiting for the user), newest first."""
    user = current_staff()
    state = request.args.get("state") or None
    permit_type = request.args.get("permit_type") or None
    page = _page_arg()
    items, total = application_service.list_applications(
        user, state=state, permit_type=permit_type, page=page, page_size=PAGE_SIZE
    )
    return render_template(
        "console/cases.html",
        items=[_case(user, a) for a in items],
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filters={"state": state, "permit_type": permit_type},
        states=STATES,
        catalogue=get_catalogue(),
    )


def _form_rows(application, view: dict) -> list[tuple[str, str]]:
    """The form's particulars in the order and with the titles of the permit type's schema."""
    schema = materials.permit_type_of(application).form_schema.get(application.kind, {})
    properties = schema.get("properties", {})
    form = view["form"]
    rows = [
        (spec.get("title", key), describe(form.get(key), spec))
        for key, spec in properties.items()
        if key in form
    ]
    rows += [(key, describe(value, {})) for key, value in form.items() if key not in properties]
    return rows


def _verdicts_by_material(application) -> dict[str, list[dict]]:
    reviewers = {
        u.id: u.display_name or u.username
        for u in db.session.query(User).filter(
            User.id.in_({v.reviewer_id for v in application.verdicts})
        )
    }
    result: dict[str, list[dict]] = {}
    for verdict in application.verdicts:
        result.setdefault(verdict.material_code, []).append(
            {
                "verdict": verdict.verdict,
                "comment": verdict.comment,
                "reviewer": reviewers.get(verdict.reviewer_id, ""),
                "document_id": verdict.document_id,
            }
        )
    return result


def names_of(application) -> dict[str, str]:
    return {s.material.code: s.material.name for s in materials.material_statuses(application)}


def _timeline_details(application, names: dict[str, str]) -> dict[int, str]:
    """What each timeline entry recorded besides its comment (material, verdict, date…)."""
    details = {}
    for entry in timeline.entries(application):
        data = entry.data or {}
        parts = []
        if data.get("material"):
            parts.append(names.get(data["material"], data["material"]))
        if data.get("missing_materials"):
            parts.append("、".join(names.get(c, c) for c in data["missing_materials"]))
        for key in ("verdict", "result", "recommendation", "opinion"):
            if data.get(key):
                parts.append(CHOICE_LABELS.get(data[key], data[key]))
        if data.get("carrier"):
            parts.append(carriers.carrier_name(data["carrier"]))
        for key in ("date", "tracking_no", "number", "assignee_name"):
            if data.get(key):
                parts.append(str(data[key]))
        details[entry.seq] = "，".join(parts)
    return details


def _shipment(user: User, application_id: int) -> dict | None:
    try:
        _, shipment = delivery.get_shipment(user, application_id)
    except NotFound:
        return None
    return ShipmentSchema().dump(shipment)


def _render_case(application_id: int, *, error: str | None = None, pending: dict | None = None):
    user = current_staff()
    application = access.get_application(user, application_id)
    view = _case(user, application)
    status = 200 if error is None else 409
    return (
        render_template(
            "console/case.html",
            case=view,
            application=application,
            enterprise=application.enterprise,
            form_rows=_form_rows(application, view),
            verdicts=_verdicts_by_material(application),
            timeline=TIMELINE.dump(application_service.timeline_entries(user, application_id)),
            details=_timeline_details(application, names_of(application)),
            forms=action_forms(application_service.available_transitions(user, application)),
            shipment=_shipment(user, application_id),
            notices=NOTICES.dump(notices.list_notices(user, application_id)),
            error=error,
            pending=pending or {},
            inline_types=INLINE_TYPES,
            carriers=carriers.carrier_list(),
            team=case_context(user, application),
        ),
        status,
    )


@bp.route("/cases/<int:application_id>")
@staff_page()
def case(application_id: int):
    """The case: particulars, materials, deadline, timeline and the actions allowed now."""
    return _render_case(application_id)


@bp.route("/cases/<int:application_id>/actions", methods=["POST"])
@staff_page()
def case_action(application_id: int):
    """Take one workflow action through the same service as the API."""
    user = current_staff()
    application = access.get_application(user, application_id)
    action = request.form.get("action", "")
    transition = next(
        (
            t
            for t in application_service.available_transitions(user, application)
            if t.action == action
        ),
        None,
    )
    version_text = request.form.get("version", "")
    version = int(version_text) if is_ascii_digits(version_text) else None
    names = names_of(application)
    pending = {"action": action, "values": request.form.to_dict(flat=False)}
    if transition is None:
        if version is not None and version != application.version:
            return _render_case(application_id, error=_stale_message(), pending=pending)
        message = "此操作当前不可执行（案件状态可能已被他人改变），请查看最新状态。"
        return _render_case(application_id, error=message, pending=pending)
    try:
        cases.take_action(
            user, application_id, action, action_data(transition, request.form, names), version
        )
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        return _render_case(application_id, error=_stale_message(), pending=pending)
    except (AppError, WorkflowError) as exc:
        db.session.rollback()
        message = exc.detail if isinstance(exc, AppError) else str(exc)
        return _render_case(application_id, error=message, pending=pending)
    target = request.form.get("next", "")
    if target.startswith("/console/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("console.case", application_id=application_id, done=action))


def _stale_message() -> str:
    return (
        "该案件在您打开页面后已被他人更新，您的操作尚未保存。"
        "下方已是最新内容，您填写的内容已保留，请核对后重新提交。"
    )


@bp.route("/cases/<int:application_id>/documents/<int:document_id>")
@staff_page()
def document(application_id: int, document_id: int):
    """A material's file, shown in the browser (images and PDFs) for staff of the region."""
    item = documents.get_document(current_staff(), application_id, document_id)
    inline = item.content_type in INLINE_TYPES
    content = documents.open_document(item)
    try:
        pii_access.record_download(current_staff(), item, pii_access.Origin(*request_origin()))
        response = send_file(
            content,
            mimetype=item.content_type,
            as_attachment=not inline,
            download_name=item.filename,
            max_age=0,
        )
    except BaseException:
        content.close()
        raise
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/cases/<int:application_id>/notices/<int:notice_id>.pdf")
@staff_page()
def notice(application_id: int, notice_id: int):
    """A written notice or decision of the case, the signed PDF."""
    application, item = notices.get_notice(current_staff(), application_id, notice_id)
    return send_file(
        io.BytesIO(notices.notice_pdf(application, item)),
        mimetype="application/pdf",
        download_name=f"notice-{item.id}.pdf",
    )


@bp.route("/cases/<int:application_id>/label.pdf")
@staff_page("dispatcher")
def label(application_id: int):
    """The mailing label of a dispatched case."""
    application, shipment = delivery.get_shipment(current_staff(), application_id)
    return send_file(
        io.BytesIO(label_pdf(application, shipment)),
        mimetype="application/pdf",
        download_name=f"label-{application.number}.pdf",
    )


@bp.route("/dispatch")
@staff_page("dispatcher")
def dispatch():
    """Cases waiting to be mailed and those on their way, with shipment status."""
    user = current_staff()
    waiting, _ = review.queue(user, state="approved", overdue_only=False, page=1, page_size=100)
    travelling, _ = review.queue(
        user, state="dispatched", overdue_only=False, page=1, page_size=100
    )
    return render_template(
        "console/dispatch.html",
        dispatch_fields={f.name: f for f in DISPATCH.fields},
        carriers=carriers.carrier_list(),
        waiting=[_case(user, a) for a in waiting],
        travelling=[(_case(user, a), _shipment(user, a.id)) for a in travelling],
    )
