"""Who owns a case (承办人) and who may act on it.

Once a case has an assignee, the reviewer's steps belong to the assignee, to whoever deputises
for them today (代理), and to a chief (科室负责人). The office actions that hand a case to
someone (``assign``, ``claim``, ``transfer``) never change its state; they are offered in the
case's ``actions`` beside the workflow's own.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app import timekeeping
from app.domain.queue_index import UNIT_ACTIONS
from app.errors import Conflict
from app.extensions import db
from app.models import Application, RegionAssignment, StaffDeputy, User
from app.models.office import OFFICE_ACTIONS
from permits.identifiers import region_covers, region_prefix
from workflows.definitions import get_workflow

# Timeline entries about the office's own work, which the applicant's timeline leaves out.
STAFF_ONLY_ENTRIES = frozenset({*OFFICE_ACTIONS, "urge"})
CHIEF = "chief"
REVIEWER = "reviewer"
NOT_YET_OPEN = frozenset({"draft", "pre_review"})
# Before acceptance the clerk works on the case (受理): it gets an owner once accepted.
INTAKE = frozenset({"submitted", "supplement_required"})
OFFICE_ACTION_LABELS = {"assign": "指定承办人", "claim": "认领", "transfer": "转办"}


def staff_name(user: User) -> str:
    return user.staff_name


def staff_ref(user: User | None) -> dict | None:
    """``{"id", "name"}`` of a staff member, as staff views show the assignee."""
    return None if user is None else {"id": user.id, "name": staff_name(user)}


def is_open(application: Application) -> bool:
    """A case the office still works on: submitted, not decided, not closed."""
    if application.state in NOT_YET_OPEN or application.decided_at is not None:
        return False
    workflow = get_workflow(application.kind)
    state = workflow.states.get(application.state)
    return state is not None and not state.terminal


def assignable(application: Application) -> bool:
    """Accepted and not yet decided: the stretch a case has an owner for."""
    return application.state not in INTAKE and is_open(application)


def open_case_filter():
    """The SQL form of ``is_open`` for counting a reviewer's load."""
    terminal = {
        name
        for kind in ("new", "renewal", "change")
        for name, state in get_workflow(kind).states.items()
        if state.terminal
    }
    return (
        Application.state.not_in(NOT_YET_OPEN | terminal),
        Application.decided_at.is_(None),
    )


def principals(user: User, on: date | None = None) -> list[int]:
    """The staff members ``user`` deputises for on ``on`` (default: the office's today)."""
    day = on or timekeeping.today()
    return list(
        db.session.scalars(
            select(StaffDeputy.staff_id).where(
                StaffDeputy.deputy_id == user.id,
                StaffDeputy.starts_on <= day,
                StaffDeputy.ends_on >= day,
            )
        )
    )


def absent_staff(on: date | None = None) -> set[int]:
    """Staff members away today: someone deputises for them."""
    day = on or timekeeping.today()
    return set(
        db.session.scalars(
            select(StaffDeputy.staff_id).where(
                StaffDeputy.starts_on <= day, StaffDeputy.ends_on >= day
            )
        )
    )


def is_owner_side(user: User, application: Application) -> bool:
    """The assignee, their deputy today, or a chief (anyone, on an unassigned case)."""
    owner = application.assignee_id
    if owner is None or owner == user.id or CHIEF in user.roles:
        return True
    return owner in principals(user)


def on_behalf_of(user: User | None, application: Application) -> User | None:
    """The absent assignee ``user`` acts for, when acting as their deputy."""
    owner = application.assignee
    if user is None or owner is None or owner.id == user.id or CHIEF in user.roles:
        return None
    return owner if owner.id in principals(user) else None


def _reviewer_step(user: User, application: Application, action: str) -> bool:
    """Whether ``user`` would take ``action`` as a reviewer (no other role of theirs may).

    A unit's own action (a joint review's opinion) belongs to that unit's reviewers, whoever
    owns the case: it is not the assignee's step."""
    if action in UNIT_ACTIONS:
        return False
    workflow = get_workflow(application.kind)
    for transition in workflow.transitions:
        if transition.action == action and application.state in transition.sources:
            roles = transition.roles & set(user.roles)
            return bool(roles) and roles <= {REVIEWER}
    return False


def reviewer_steps_allowed(user: User, application: Application, actions: list[str]) -> list[str]:
    """``actions`` less the reviewer's steps ``user`` may not take on someone else's case."""
    if not user.is_staff or application.assignee_id is None:
        return actions
    blocked = [a for a in actions if _reviewer_step(user, application, a)]
    if not blocked or is_owner_side(user, application):
        return actions
    return [a for a in actions if a not in blocked]


def assigned_elsewhere(application: Application) -> Conflict:
    owner = application.assignee
    name = staff_name(owner) if owner else "其他工作人员"
    return Conflict(
        f"该案件由{name}承办，只有承办人、其代理人或科室负责人可以办理。",
        code="CASE_ASSIGNED_TO_OTHER",
        title="案件已有承办人",
    )


def check_reviewer_step(user: User, application: Application, action: str) -> None:
    """409 naming the assignee when a reviewer other than them tries a reviewer's step."""
    if application.assignee_id is None or not user.is_staff:
        return
    if _reviewer_step(user, application, action) and not is_owner_side(user, application):
        raise assigned_elsewhere(application)


def office_actions(user: User, application: Application) -> list[str]:
    """The hand-over actions ``user`` may take on the case now."""
    if not user.is_staff or not assignable(application):
        return []
    if application.assignee_id is None:
        found = ["assign"] if CHIEF in user.roles else []
        return found + (["claim"] if REVIEWER in user.roles else [])
    if is_owner_side(user, application):
        return ["transfer"]
    return []


def eligible_assignee(application: Application, staff: User | None) -> bool:
    """An active reviewer whose region covers the case's."""
    return (
        staff is not None
        and staff.is_staff
        and staff.active
        and REVIEWER in staff.roles
        and region_covers(staff.region_code or "", application.region_code)
    )


def assignment_mode(region_code: str) -> RegionAssignment | None:
    """The most specific region setting covering ``region_code`` (province, city, county)."""
    candidates = {region_code[:2] + "0000", region_code[:4] + "00", region_code}
    rows = db.session.scalars(
        select(RegionAssignment).where(RegionAssignment.region_code.in_(candidates))
    ).all()
    covering = [r for r in rows if region_covers(r.region_code, region_code)]
    covering.sort(key=lambda r: len(region_prefix(r.region_code)), reverse=True)
    return covering[0] if covering else None


def least_loaded(application: Application) -> User | None:
    """The active, present reviewer covering the case with the fewest open cases.

    The region's setting row is locked first, so concurrent accepts choose one after
    another, each counting the cases the previous ones assigned (committed before the lock
    is released).
    """
    setting = assignment_mode(application.region_code)
    if setting is None or setting.mode != "least_loaded":
        return None
    db.session.scalars(
        select(RegionAssignment)
        .where(RegionAssignment.region_code == setting.region_code)
        .with_for_update(of=RegionAssignment)
    ).one()
    away = absent_staff()
    reviewers = [
        u
        for u in db.session.scalars(
            select(User).where(User.kind == "staff", User.active.is_(True)).order_by(User.id)
        )
        if eligible_assignee(application, u)
        and region_covers(setting.region_code, u.region_code or "")
        and u.id not in away
    ]
    if not reviewers:
        return None
    loads = dict(
        db.session.execute(
            select(Application.assignee_id, func.count())
            .where(
                Application.assignee_id.in_([u.id for u in reviewers]),
                Application.id != application.id,
                *open_case_filter(),
            )
            .group_by(Application.assignee_id)
        ).all()
    )
    return min(reviewers, key=lambda u: (loads.get(u.id, 0), u.id))
