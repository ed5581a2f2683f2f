"""The request desk (诉求响应): enterprises file requests, the region's unit answers.

A request is routed by topic to the unit of the enterprise's region that can act
(``permits.request_topics``) and must be answered within the topic's working days (the
statutory calendar of ``clock``). Staff of that region with the ``clerk`` role claim,
reply, close and reopen; the enterprise may close or reopen it and rate the answer once.
Every reply reaches the enterprise's inbox (and WeChat, with consent) through the outbox.
Each public function is one transaction; a stale ``version`` answers 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select
from werkzeug.datastructures import FileStorage as Upload

from app import timekeeping
from app.domain import access, clock
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.domain.upload_pipeline import (
    NO_FILE,
    ReceivedFile,
    no_file,
    received_file,
    received_spool,
)
from app.domain.working_day_sums import local_day, span_sum
from app.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
    VersionConflict,
    field_error,
    fields_error,
)
from app.extensions import db
from app.integrations.storage import StoredFile
from app.models import (
    Enterprise,
    EnterpriseRequest,
    RequestAttachment,
    RequestEvent,
    User,
)
from app.models.enterprise_request import STATE_LABELS
from permits.identifiers import region_prefix
from permits.request_topics import RequestTopic, get_request_topic, request_topics

HANDLER_ROLES = ("clerk", "admin")
MAX_ATTACHMENTS = 10

# action → states it may start from, for staff and for the enterprise.
STAFF_ACTIONS = {
    "claim": ("open",),
    "reply": ("open", "claimed", "replied"),
    "close": ("replied",),
    "reopen": ("replied", "closed"),
}
APPLICANT_ACTIONS = {
    "close": ("open", "claimed", "replied"),
    "reopen": ("replied", "closed"),
}
ACTION_TARGET = {"claim": "claimed", "reply": "replied", "close": "closed", "reopen": "open"}


def _topic_or_422(code: str) -> RequestTopic:
    topic = get_request_topic(code)
    if topic is None:
        message = "诉求类别不存在"
        raise field_error("topic", message, "REQUEST_TOPIC_UNKNOWN")
    return topic


def _is_handler(user: User) -> bool:
    return user.is_staff and bool(set(HANDLER_ROLES) & set(user.roles))


def _scope(query: Select, user: User) -> Select:
    if user.is_staff:
        prefix = region_prefix(user.region_code or "")
        return query.where(EnterpriseRequest.region_code.startswith(prefix))
    return query.join(Enterprise, EnterpriseRequest.enterprise_id == Enterprise.id).where(
        Enterprise.manager_id == user.id
    )


def get_request(user: User, request_id: int, *, lock: bool = False) -> EnterpriseRequest:
    """One request the caller may see; anyone else's answers exactly like a missing one."""
    query = _scope(select(EnterpriseRequest).where(EnterpriseRequest.id == request_id), user)
    if lock:
        query = query.with_for_update(of=EnterpriseRequest)
    found = db.session.scalars(query).first()
    if found is None:
        raise NotFound("诉求不存在", code="REQUEST_NOT_FOUND")
    return found


def _event(item: EnterpriseRequest, user: User, action: str, comment: str | None) -> None:
    db.session.add(
        RequestEvent(
            request_id=item.id,
            actor_id=user.id,
            role="staff" if user.is_staff else "applicant",
            action=action,
            comment=comment,
            at=timekeeping.now(),
        )
    )


def file_request(user: User, data: dict) -> EnterpriseRequest:
    """An enterprise's new request, routed to its region's unit for the topic."""
    if user.is_staff:
        raise NotFound("企业不存在", code="ENTERPRISE_NOT_FOUND")
    enterprise = access.get_enterprise(user, data["enterprise_id"])
    topic = _topic_or_422(data["topic"])
    errors = {
        key: [f"请填写{label}"]
        for key, label in (("title", "标题"), ("description", "诉求内容"))
        if not data[key].strip()
    }
    if errors:
        raise fields_error(errors)
    now = timekeeping.now()
    item = EnterpriseRequest(
        enterprise_id=enterprise.id,
        filed_by=user.id,
        topic=topic.code,
        region_code=topic.handling_region(enterprise.region_code),
        handling_unit=topic.handling_unit(enterprise.region_code),
        title=data["title"].strip(),
        description=data["description"].strip(),
        state="open",
        due_on=clock.calendar().add_working_days(timekeeping.today(), topic.response_days),
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    _event(item, user, "file", None)
    commit()
    return item


def _allowed_actions(user: User, item: EnterpriseRequest) -> list[str]:
    if user.is_staff:
        table = STAFF_ACTIONS if _is_handler(user) else {}
    else:
        table = APPLICANT_ACTIONS if item.rated_at is None else {}
    return [action for action, states in table.items() if item.state in states]


def take_action(user: User, request_id: int, data: dict) -> EnterpriseRequest:
    """Claim, reply, close or reopen, checked against the version the caller read."""
    item = get_request(user, request_id, lock=True)
    action = data["action"]
    if user.is_staff and not _is_handler(user):
        raise Forbidden("只有受理人员可以办理诉求")
    if data["version"] != item.version:
        raise VersionConflict("诉求已被他人处理，请刷新后重试")
    if action not in _allowed_actions(user, item):
        raise Conflict(
            f"诉求{STATE_LABELS[item.state]}，不能执行此操作", code="TRANSITION_NOT_ALLOWED"
        )
    comment: str | None = (data.get("comment") or "").strip() or None
    reply = comment if action == "reply" else None
    if action == "reply" and reply is None:
        raise ValidationFailed("请填写答复内容", errors={"comment": ["请填写答复内容"]})
    now = timekeeping.now()
    if action in ("claim", "reply") and item.handler_id is None:
        item.handler_id = user.id
    if reply is not None:
        item.reply = reply
        item.first_replied_at = item.first_replied_at or now
        _notify_reply(item, reply)
    item.closed_at = now if action == "close" else None
    item.state = ACTION_TARGET[action]
    item.updated_at = now
    _event(item, user, action, comment)
    commit()
    return item


def _notify_reply(item: EnterpriseRequest, comment: str) -> None:
    enqueue(
        item.filed_by,
        "request",
        f"您的诉求已答复：{item.title}"[:100],
        f"{item.handling_unit}答复：{comment}",
        {"request_id": item.id},
    )


def rate(user: User, request_id: int, score: int, comment: str | None) -> EnterpriseRequest:
    """The enterprise's one rating of a closed request."""
    item = get_request(user, request_id, lock=True)
    if user.is_staff:
        raise Forbidden("只有提出诉求的企业可以评价", code="RATING_APPLICANT_ONLY")
    if item.rated_at is not None:
        raise Conflict("该诉求已评价过，只能评价一次", code="ALREADY_RATED")
    if item.state != "closed":
        raise Conflict("诉求办结后方可评价", code="REQUEST_NOT_CLOSED")
    item.rating_score = score
    item.rating_comment = (comment or "").strip() or None
    item.rated_at = timekeeping.now()
    item.updated_at = item.rated_at
    _event(item, user, "rate", item.rating_comment)
    commit()
    return item


def _writable_request(user: User, request_id: int) -> EnterpriseRequest:
    """The caller's own request, locked, while it still takes attachments."""
    item = get_request(user, request_id, lock=True)
    if user.is_staff:
        raise NotFound("诉求不存在", code="REQUEST_NOT_FOUND")
    if item.state == "closed":
        raise Conflict("诉求已办结，不能再添加附件", code="REQUEST_CLOSED")
    return item


def _check_room(item: EnterpriseRequest) -> None:
    count = db.session.scalars(
        select(func.count()).where(RequestAttachment.request_id == item.id)
    ).one()
    if count >= MAX_ATTACHMENTS:
        message = f"每件诉求最多{MAX_ATTACHMENTS}个附件"
        raise Conflict(message, code="TOO_MANY_ATTACHMENTS")


def prepare_attachment(user: User, request_id: int) -> EnterpriseRequest:
    """The caller's own request, locked, once it may take one more attachment (a resumable
    upload asks at its creation and again when its last byte arrives)."""
    item = _writable_request(user, request_id)
    _check_room(item)
    return item


def _new_attachment(
    user: User, item: EnterpriseRequest, received: ReceivedFile
) -> RequestAttachment:
    attachment = RequestAttachment(
        request_id=item.id,
        sha256=received.sha256,
        filename=received.filename,
        content_type=received.content_type,
        size=received.size,
        uploaded_by=user.id,
        created_at=timekeeping.now(),
    )
    db.session.add(attachment)
    return attachment


def add_attachment(user: User, request_id: int, upload: Upload | None) -> RequestAttachment:
    """Attach a file (PDF, JPEG, PNG or OFD, judged by content) to the caller's own request."""
    item = _writable_request(user, request_id)
    if upload is None or no_file(upload):
        raise field_error("file", NO_FILE)
    _check_room(item)
    with received_file(upload) as received:
        attachment = _new_attachment(user, item, received)
    commit()
    return attachment


def store_attachment(
    user: User,
    item: EnterpriseRequest,
    filename: str | None,
    tmp: Path,
    spooled: StoredFile,
    *,
    attach: Callable[[RequestAttachment], None],
) -> RequestAttachment:
    """A resumable upload's file, complete on disk, through the multipart route's pipeline
    (``received_spool``: the same checks, blob and store); ``attach`` records the new
    attachment on the upload in the same transaction."""
    with received_spool(tmp, spooled, filename) as received:
        attachment = _new_attachment(user, item, received)
        db.session.flush()
        attach(attachment)
    commit()
    return attachment


def get_attachment(user: User, request_id: int, attachment_id: int) -> RequestAttachment:
    item = get_request(user, request_id)
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None or attachment.request_id != item.id:
        raise NotFound("附件不存在", code="ATTACHMENT_NOT_FOUND")
    return attachment


@dataclass(frozen=True)
class RequestFilter:
    topic: str | None = None
    state: str | None = None
    overdue: bool | None = None


def _overdue_clause(today: date):
    return (EnterpriseRequest.first_replied_at.is_(None)) & (EnterpriseRequest.due_on < today)


def list_requests(
    user: User, filters: RequestFilter, page: int, page_size: int
) -> tuple[list[EnterpriseRequest], int]:
    """The applicant's own requests, or the staff member's region's queue (earliest due first)."""
    query = _scope(select(EnterpriseRequest), user)
    if filters.topic:
        query = query.where(EnterpriseRequest.topic == filters.topic)
    if filters.state:
        query = query.where(EnterpriseRequest.state == filters.state)
    if filters.overdue is not None:
        clause = _overdue_clause(timekeeping.today())
        query = query.where(clause if filters.overdue else ~clause)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = (
        (EnterpriseRequest.due_on, EnterpriseRequest.id)
        if user.is_staff
        else (EnterpriseRequest.created_at.desc(), EnterpriseRequest.id.desc())
    )
    items = db.session.scalars(
        query.order_by(*order).offset((page - 1) * page_size).limit(page_size)
    )
    return list(items), int(total)


@dataclass(frozen=True)
class Deadline:
    """The response limit: due date, working days left, and whether it was (or is) missed."""

    due: date
    working_days_left: int | None  # None once answered
    overdue: bool


def deadline(item: EnterpriseRequest, today: date | None = None) -> Deadline:
    today = today or timekeeping.today()
    calendar = clock.calendar()
    answered_on = (
        item.first_replied_at.astimezone(timekeeping.OFFICE_TZ).date()
        if item.first_replied_at
        else None
    )
    reference = answered_on or today
    if reference <= item.due_on:
        left = calendar.working_days_between(reference, item.due_on)
    else:
        left = -calendar.working_days_between(item.due_on, reference)
    return Deadline(item.due_on, left if answered_on is None else None, reference > item.due_on)


def all_topics() -> list[RequestTopic]:
    return list(request_topics().values())


@dataclass(frozen=True)
class ShownRequest:
    """A request as ``user`` sees it: the object ``RequestSchema`` dumps, the request's
    columns and what is derived (its topic's name, the deadline, the caller's actions)."""

    item: EnterpriseRequest
    user: User

    def __getattr__(self, name: str) -> Any:
        return getattr(self.item, name)

    @property
    def topic_name(self) -> str:
        topic = get_request_topic(self.item.topic)
        return topic.name if topic else self.item.topic

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.item.state]

    @property
    def deadline(self) -> Deadline:
        return deadline(self.item)

    @property
    def rating(self) -> EnterpriseRequest | None:
        """The request itself once rated (its ``rating_*`` columns), else None."""
        return self.item if self.item.rated_at else None

    @property
    def actions(self) -> list[str]:
        return _allowed_actions(self.user, self.item)

    @property
    def attachments(self) -> list[RequestAttachment]:
        query = select(RequestAttachment).where(RequestAttachment.request_id == self.item.id)
        return list(db.session.scalars(query.order_by(RequestAttachment.id)))

    @property
    def history(self) -> list[RequestEvent]:
        query = select(RequestEvent).where(RequestEvent.request_id == self.item.id)
        return list(db.session.scalars(query.order_by(RequestEvent.id)))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def request_figures(prefix: str, period: Any) -> dict:
    """The desk's figures (as 粤商通 reported them) for requests received in ``period``.

    ``handled``: received requests answered by now; ``handling_rate``: handled / received
    (None when nothing was received); ``avg_working_days_to_reply``: filing to first answer.
    """
    filed_on = local_day(EnterpriseRequest.created_at)
    replied_on = local_day(EnterpriseRequest.first_replied_at)
    query = (
        select(EnterpriseRequest.topic, filed_on, replied_on, func.count())
        .where(period.holds(EnterpriseRequest.created_at))
        .group_by(EnterpriseRequest.topic, filed_on, replied_on)
    )
    if prefix:
        query = query.where(EnterpriseRequest.region_code.startswith(prefix))
    rows = db.session.execute(query).all()
    counts: dict[str, tuple[int, int]] = {}
    for topic, _, replied, n in rows:
        received_so_far, handled_so_far = counts.get(topic, (0, 0))
        counts[topic] = (received_so_far + n, handled_so_far + (n if replied is not None else 0))
    received = sum(n for n, _ in counts.values())
    handled = sum(n for _, n in counts.values())
    spans = span_sum((filed, replied, n) for _, filed, replied, n in rows)
    by_topic = {}
    for topic in all_topics():
        topic_received, topic_handled = counts.get(topic.code, (0, 0))
        by_topic[topic.code] = {
            "name": topic.name,
            "received": topic_received,
            "handled": topic_handled,
            "handling_rate": _rate(topic_handled, topic_received),
        }
    return {
        "received": received,
        "handled": handled,
        "handling_rate": _rate(handled, received),
        "avg_working_days_to_reply": round(spans / handled, 1) if handled else None,
        "by_topic": by_topic,
    }
