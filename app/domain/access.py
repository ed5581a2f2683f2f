"""Who may see what: applicants see their own enterprises' objects, staff their region's.

Every lookup of a scoped object goes through here, and an object outside the caller's
scope is reported exactly like a missing one (404).
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.domain import agency
from app.errors import NotFound
from app.extensions import db
from app.models import Application, Enterprise, MaterialVerdict, User
from permits.identifiers import region_covers, region_prefix


def with_case_details(query: Select) -> Select:
    """Load what a case's view reads (enterprise, source licence, documents, verdicts,
    commitments) with the cases: a fixed number of statements however many cases there are."""
    return query.options(
        joinedload(Application.enterprise),
        joinedload(Application.licence),
        selectinload(Application.documents),
        selectinload(Application.verdicts),
        selectinload(Application.commitments),
    )


def staff_region(user: User) -> str:
    """A staff member's region code: every staff account has one (creating it checks so)."""
    if user.region_code is None:
        raise LookupError(f"staff account {user.username} has no region")
    return user.region_code


def in_region(user: User, region_code: str) -> bool:
    """Whether ``region_code`` lies in the staff member's jurisdiction."""
    return region_covers(user.region_code or "", region_code)


def scope_applications(query: Select, user: User) -> Select:
    """Restrict a query over Application to what ``user`` may see."""
    if user.is_staff:
        prefix = region_prefix(staff_region(user))
        query = query.where(Application.region_code.startswith(prefix))
        if agency.agent_only(user):  # 帮办代办: consenting enterprises only
            query = query.where(Application.enterprise_id.in_(agency.consented_enterprises()))
        return query
    return query.join(Enterprise, Application.enterprise_id == Enterprise.id).where(
        Enterprise.manager_id == user.id
    )


def visible_version(user: User, application_id: int) -> int | None:
    """The case's version if ``user`` may see it (one statement, no details loaded)."""
    query = select(Application.version).where(Application.id == application_id)
    return db.session.scalar(scope_applications(query, user))


def _applicant_version_query() -> Select:
    applications, enterprises, users = (
        Application.__table__,
        Enterprise.__table__,
        User.__table__,
    )
    return (
        select(applications.c.version)
        .join(enterprises, applications.c.enterprise_id == enterprises.c.id)
        .join(users, enterprises.c.manager_id == users.c.id)
        .where(
            applications.c.id == bindparam("application_id"),
            users.c.id == bindparam("user_id"),
            users.c.active.is_(True),
            users.c.kind == "applicant",
        )
    )


# Built once: a Core statement with bound parameters (the poll's own CPU is the point).
_APPLICANT_VERSION = _applicant_version_query()


def applicant_version(user_id: int, application_id: int) -> int | None:
    """The case's version if it belongs to an enterprise the active applicant ``user_id``
    manages: the user's check and the case's in one statement (the phone's poll)."""
    found = db.session.execute(
        _APPLICANT_VERSION, {"application_id": application_id, "user_id": user_id}
    )
    return found.scalar()


def can_see_application(user: User, application: Application) -> bool:
    if user.is_staff:
        if agency.agent_only(user):
            return agency.agent_consent(user, application.enterprise) is not None
        return in_region(user, application.region_code)
    return application.enterprise.manager_id == user.id


_CASE_JOINS = (
    joinedload(Application.enterprise),
    joinedload(Application.licence),
    joinedload(Application.documents),  # a dozen at most: one row a document
)


def _case_view_options(query: Select) -> Select:
    # One case with what its view reads, the commitments left to load on first use, which
    # only the permit types offering 告知承诺制 need.
    return query.options(*_CASE_JOINS, selectinload(Application.verdicts))


def _user_and_application_query() -> Select:
    # The same joins, but not the assignee, which only a staff member's view reads (then on
    # first use, or from the identity map when the reader is the assignee), nor the verdicts
    # (read below).
    return (
        select(User, Application)
        .join_from(Application, User, User.id == bindparam("user_id"))  # one row of each
        .where(Application.id == bindparam("application_id"))
        .options(*_CASE_JOINS, lazyload(Application.assignee), lazyload(Application.verdicts))
    )


def _verdicts_query() -> Select:
    return (
        select(MaterialVerdict)
        .where(MaterialVerdict.application_id == bindparam("application_id"))
        .order_by(MaterialVerdict.id)  # the relationship's order
    )


# Built once, with bound parameters, as the poll's: building the ORM statement and its cache
# key on every status read cost about a tenth of the read's CPU. The verdicts are read by a
# statement of their own for the same reason: ``selectinload`` builds its IN query at every
# load, about a quarter of a built read's CPU, where this one is built once.
_USER_AND_APPLICATION = _user_and_application_query()
_VERDICTS = _verdicts_query()


def user_and_application(user_id: int, application_id: int) -> tuple[User, Application] | None:
    """The token's user and the case in one round trip, then the case's verdicts: the status
    read.

    Nothing is checked here — the caller checks the user against the token and
    ``can_see_application``; None when either row is missing.
    """
    params = {"user_id": user_id, "application_id": application_id}
    row = db.session.execute(_USER_AND_APPLICATION, params).unique().one_or_none()
    if row is None:
        return None
    user, application = row[0], row[1]
    verdicts = db.session.scalars(_VERDICTS, {"application_id": application_id}).all()
    set_committed_value(application, "verdicts", list(verdicts))
    return user, application


def get_application(user: User, application_id: int, *, lock: bool = False) -> Application:
    query = select(Application).where(Application.id == application_id)
    if lock:  # the case's row only, not the joined enterprise and licence
        query = with_case_details(query).with_for_update(of=Application)
        application = db.session.scalars(query).first()
    else:
        application = db.session.scalars(_case_view_options(query)).unique().one_or_none()
    if application is None or not can_see_application(user, application):
        raise NotFound("申请不存在", code="APPLICATION_NOT_FOUND")
    return application


def lock_application_row(user: User, application_id: int) -> Application:
    """The caller's case, its row locked, with its enterprise: for a change that often needs
    none of the case's documents, verdicts or commitments. Those load on first use, after the
    lock, so a change that does read them still sees them current. One statement where the
    locked ``get_application`` sends four (an upload to a draft reads none of them)."""
    query = (
        select(Application)
        .options(joinedload(Application.enterprise), lazyload(Application.assignee))
        .where(Application.id == application_id)
        .with_for_update(of=Application)
    )
    application = db.session.scalars(query).first()
    if application is None or not can_see_application(user, application):
        raise NotFound("申请不存在", code="APPLICATION_NOT_FOUND")
    return application


def get_enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("企业不存在", code="ENTERPRISE_NOT_FOUND")
    if user.is_staff and agency.agent_only(user):
        allowed = agency.agent_consent(user, enterprise) is not None
    elif user.is_staff:
        allowed = in_region(user, enterprise.region_code)
    else:
        allowed = enterprise.manager_id == user.id
    if not allowed:
        raise NotFound("企业不存在", code="ENTERPRISE_NOT_FOUND")
    return enterprise
