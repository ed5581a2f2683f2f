"""Demo data for ``make run``: staff, an applicant, enterprises, a year of cases, licences.

Cases are driven through the same services the API uses, so the demo shows real timelines,
clocks, licences and ratings rather than rows typed in by hand. The past year is replayed on
the office clock (``_replayed_clock`` sets it to each step's day), so the statistics chart
has twelve months of decisions, some of them late, and everything is relative to the day the
demo is loaded. A few licences from the office's register expire soon, so the first reminder
scan (the worker runs it on start) fills the applicant's inbox.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from io import BytesIO

import click
from flask import current_app
from flask.cli import AppGroup
from reportlab.pdfgen import canvas
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage as Upload

from app import timekeeping
from app.domain.permit_types import require_permit_type
from app.extensions import db
from app.licences.holder import enterprise_holder
from app.licences.lifecycle import add_years
from app.models import Application, Enterprise, Licence, User
from app.services import cases, documents, identity, ratings
from app.services.applications import create_application
from permits.identifiers import credit_code_check_char, register_elicence_identifier
from permits.numbering import issuer_name

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo, refused in production
STAFF = [
    ("clerk", ["clerk"], "120000"),
    ("reviewer", ["reviewer"], "120000"),
    ("inspector", ["inspector"], "120000"),
    ("chief", ["chief"], "120000"),
    ("approver", ["approver"], "120000"),
    ("dispatcher", ["dispatcher"], "120000"),
    ("admin", ["admin"], "120000"),
    ("heping-clerk", ["clerk", "reviewer"], "120101"),
]
DELIVERY = {"recipient": "王经理", "phone": "13812345678", "address": "天津市和平区南京路100号"}
FIRMS = [
    ("天津滨海化工贸易有限公司", "120101"),
    ("天津和平安全化学品有限公司", "120101"),
    ("天津河东烟花爆竹批发有限公司", "120102"),
    ("天津滨海新区精细化工有限公司", "120116"),
]
# The applicant's score of each month's approval, oldest first.
SCORES = [5, 5, 4, 5, 3, 5, 4, 5, 2, 5, 4, 5]
# Register licences (issued before the system) ending this many days from today.
EXPIRING_IN_DAYS = [5, 25, 58, 85, -20, 400]


class _Steps:
    """The demo's cast and the helpers that act on its behalf."""

    def __init__(self, staff: dict[str, User], applicant: User, firms: list[Enterprise]) -> None:
        self.staff = staff
        self.applicant = applicant
        self.firms = firms

    def new_case(self, firm: Enterprise, permit_type: str = "hazchem-trading", form=None):
        if form is None:
            form = dict(require_permit_type(permit_type).example_forms["new"])
        return create_application(
            self.applicant,
            {
                "enterprise_id": firm.id,
                "permit_type": permit_type,
                "kind": "new",
                "form": form,
                "delivery": DELIVERY,
            },
        )

    def upload_all(self, application: Application) -> None:
        for material in require_permit_type(application.permit_type).materials_for(
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
            documents.upload_document(self.applicant, application.id, material.code, upload)

    def act(self, application: Application, who: str, action: str, **data) -> None:
        user = self.applicant if who == "applicant" else self.staff[who]
        current = db.session.get_one(Application, application.id)
        cases.take_action(user, application.id, action, data, current.version)

    def submitted(self, firm: Enterprise, permit_type: str = "hazchem-trading") -> Application:
        application = self.new_case(firm, permit_type)
        self.upload_all(application)
        self.act(application, "applicant", "submit")
        return application

    def reviewed(self, application: Application) -> None:
        """Accepted, every material verified, inspected and recommended for approval."""
        self.act(application, "clerk", "accept")
        self.act(application, "reviewer", "start_review")
        for material in require_permit_type(application.permit_type).materials_for(
            application.kind, application.form
        ):
            if material.required:
                self.act(
                    application, "reviewer", "verify_material", material=material.code, verdict="ok"
                )
        if require_permit_type(application.permit_type).inspection_required:
            day = timekeeping.today().isoformat()
            self.act(application, "reviewer", "schedule_inspection", date=day)
            self.act(application, "inspector", "record_inspection", result="pass", comment="符合")


@contextmanager
def _replayed_clock() -> Iterator:
    """Set the office clock to past days while the demo replays its history; restore it after.

    Yields ``at(day)``, which moves the clock to 10:00 (Shanghai) on ``day``.
    """
    real_now = timekeeping.now
    moment = {"now": real_now()}

    def at(day: date) -> None:
        local = datetime.combine(day, time(10, 0), tzinfo=timekeeping.OFFICE_TZ)
        moment["now"] = local.astimezone(UTC)

    timekeeping.now = lambda: moment["now"]
    try:
        yield at
    finally:
        timekeeping.now = real_now


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _credit_code(body: str) -> str:
    return body + credit_code_check_char(body)


def _year_of_cases(steps: _Steps, today: date, at) -> None:
    """Twelve months of decided cases: an approval every month, mailed and rated; every third
    month a denial decided after the statutory limit; now and then a refusal to accept."""
    for months_ago, score in zip(range(12, 0, -1), SCORES, strict=True):
        start = _workday(today - timedelta(days=30 * months_ago))
        firm = steps.firms[months_ago % len(steps.firms)]
        at(start)
        approved = steps.submitted(firm)
        at(_workday(start + timedelta(days=1)))
        steps.reviewed(approved)
        at(_workday(start + timedelta(days=12)))
        steps.act(approved, "reviewer", "recommend", recommendation="approve", comment="符合条件")
        steps.act(approved, "approver", "approve", comment="准予许可")
        tracking_no = f"EM{start:%Y%m%d}CN"
        steps.act(approved, "dispatcher", "dispatch", carrier="ems", tracking_no=tracking_no)
        at(_workday(start + timedelta(days=15)))
        steps.act(approved, "dispatcher", "confirm_delivery")
        comment = "审批速度快，全程不用跑腿" if score >= 4 else "现场核查预约时间较长"
        ratings.rate_application(steps.applicant, approved.id, score, comment)

        if months_ago % 3 == 0:
            at(start)
            denied = steps.submitted(firm, "fireworks-wholesale")
            at(_workday(start + timedelta(days=1)))
            steps.act(denied, "clerk", "accept")
            steps.act(denied, "reviewer", "start_review")
            at(_workday(start + timedelta(days=50)))  # past the 30-working-day limit
            steps.act(
                denied, "reviewer", "recommend", recommendation="deny", comment="储存设施不符合要求"
            )
            steps.act(denied, "approver", "deny", comment="储存设施与周边安全距离不足")
            ratings.rate_application(steps.applicant, denied.id, 3, "等待时间较长")
        if months_ago % 5 == 0:
            at(start)
            refused = steps.submitted(firm)
            at(_workday(start + timedelta(days=2)))
            steps.act(refused, "clerk", "reject", comment="该事项不属于本机关管辖")


def _cases_in_hand(steps: _Steps, today: date, at) -> None:
    """Cases in hand: fresh and overdue ones, one awaiting the chief's check (a three-level
    type), one returned for supplement, one to dispatch."""
    at(_workday(today - timedelta(days=12)))
    steps.submitted(steps.firms[3])  # never accepted: past the 5-day acceptance limit

    at(_workday(today - timedelta(days=60)))
    overdue = steps.submitted(steps.firms[2], "fireworks-wholesale")
    steps.act(overdue, "clerk", "accept")
    steps.act(overdue, "reviewer", "start_review")  # decision limit passed, still in review

    at(_workday(today - timedelta(days=6)))
    reviewing = steps.submitted(steps.firms[1], "fireworks-wholesale")
    steps.act(reviewing, "clerk", "accept")
    steps.act(reviewing, "reviewer", "start_review")

    at(_workday(today - timedelta(days=8)))
    checking = steps.submitted(steps.firms[3], "hazchem-production-safety")
    at(_workday(today - timedelta(days=7)))
    steps.reviewed(checking)
    at(_workday(today - timedelta(days=3)))
    # 三级审批 (review_levels: 3): the recommendation waits for the chief's check (审核)
    steps.act(checking, "reviewer", "recommend", recommendation="approve", comment="符合条件")

    at(_workday(today - timedelta(days=4)))
    supplement = steps.submitted(steps.firms[1])
    first = supplement.documents[0].material_code
    steps.act(
        supplement,
        "clerk",
        "request_supplement",
        missing_materials=[first],
        comment="扫描件不清晰，请重新上传",
    )

    at(_workday(today - timedelta(days=14)))
    issued = steps.submitted(steps.firms[1])
    at(_workday(today - timedelta(days=13)))
    steps.reviewed(issued)
    at(_workday(today - timedelta(days=2)))
    steps.act(issued, "reviewer", "recommend", recommendation="approve", comment="符合条件")
    steps.act(issued, "approver", "approve", comment="准予许可")  # awaits dispatch


def _cases_of_today(steps: _Steps) -> None:
    """On the real clock: a half-filled draft, a complete one, a case submitted just now."""
    trading = require_permit_type("hazchem-trading").example_forms["new"]
    half = {key: trading[key] for key in list(trading)[:2]}
    steps.new_case(steps.firms[0], form=half)  # a draft the phone saved half-way
    steps.new_case(steps.firms[0])  # a complete draft, materials still to upload
    steps.submitted(steps.firms[0])


def _register_licences(firms: list[Enterprise], today: date) -> None:
    """Licences from the office's register, some about to expire, one already expired."""
    for index, days in enumerate(EXPIRING_IN_DAYS):
        firm = firms[index % len(firms)]
        permit_type = ("hazchem-trading", "fireworks-wholesale")[index % 2]
        known = require_permit_type(permit_type)
        valid_until = today + timedelta(days=days)
        valid_from = add_years(valid_until + timedelta(days=1), -known.validity_years)
        prefix = "津安经" if permit_type == "hazchem-trading" else "津烟批"
        db.session.add(
            Licence(
                number=f"{prefix}〔{valid_from.year}〕{900 + index:06d}",
                identifier=register_elicence_identifier(
                    known.type_code,
                    current_app.config["ISSUER_CREDIT_CODE"],
                    f"{prefix}〔{valid_from.year}〕{900 + index:06d}",
                ),
                permit_type=permit_type,
                enterprise_id=firm.id,
                region_code=firm.region_code,
                holder=enterprise_holder(firm, known.example_forms["new"]),
                issuer_name=issuer_name("120000"),
                issued_on=valid_from,
                valid_from=valid_from,
                valid_until=valid_until,
                source="imported",
            )
        )
    db.session.commit()


def demo_accounts_present() -> bool:
    """Whether the demo's staff accounts exist (so printing them helps)."""
    names = [name for name, _, _ in STAFF]
    found = db.session.scalar(
        select(func.count()).select_from(User).where(User.username.in_(names))
    )
    return found == len(names)


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
    for index, (name, region) in enumerate(FIRMS):
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

    steps = _Steps(staff, applicant, firms)
    today = timekeeping.today()
    with _replayed_clock() as at:
        _year_of_cases(steps, today, at)
        _cases_in_hand(steps, today, at)
    _cases_of_today(steps)
    _register_licences(firms, today)
    current_app.logger.info("demo data loaded")
    return [(name, roles, region) for name, roles, region in STAFF]


demo_cli = AppGroup("demo", help="演示数据")


@demo_cli.command("load-if-empty")
def demo_load_if_empty() -> None:
    """Load demo enterprises, cases and staff when the database has no users; show the accounts."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        click.echo("生产环境不加载演示数据", err=True)
        sys.exit(1)
    if load_demo_data() is None:
        click.echo("数据库已有数据，跳过演示数据。")
    if demo_accounts_present():
        click.echo(f"演示账号（工作人员，密码均为 {DEMO_PASSWORD}）：")
        for username, roles, region in STAFF:
            click.echo(f"  {username:<12} {','.join(roles):<28} {region}")
        click.echo(
            '申请人：在 WECHAT_MODE=fake 下用 code "demo-applicant" 登录 POST /api/v1/auth/wechat'
        )
    base = f"http://127.0.0.1:{current_app.config['PORT']}"
    click.echo(f"接口文档：{base}/api/docs    工作人员控制台：{base}/console/")
    click.echo(f"健康检查：{base}/api/v1/health")
