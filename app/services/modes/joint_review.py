"""Joint review (联合审查): units at several levels review a case in parallel, once.

A reviewer opens it naming the units (region codes covering the case's region, e.g. the
province, the city and the county of a coal mine); a reviewer of each unit's own region
gives one opinion; when every unit has answered, the system returns the case to review.
The units and opinions are kept on the case, in its timeline and shown with the decision.
"""

from __future__ import annotations

from app import timekeeping
from app.domain.queue_index import JOINT_REVIEW_KEY
from app.errors import Conflict, field_error
from app.models import Application, User
from permits.identifiers import is_region_code, region_prefix, region_record

KEY = JOINT_REVIEW_KEY
OPINION_LABELS = {"agree": "同意", "disagree": "不同意"}


def open_review(application: Application, data: dict, user: User | None) -> None:
    """Effect ``open_joint_review``: check and keep the units."""
    units = data["units"]
    names = {
        u: record.name
        for u in units
        if is_region_code(u) and (record := region_record(u)) is not None
    }
    bad = [
        u
        for u in units
        if u not in names or not application.region_code.startswith(region_prefix(u))
    ]
    if bad:
        message = f"联合审查单位须为本案所在地或其上级行政区划：{'、'.join(bad)}"
        raise field_error("units", message, "JOINT_REVIEW_UNIT_INVALID")
    application.modes = {
        **(application.modes or {}),
        KEY: {
            "units": list(units),
            "unit_names": {u: names[u] for u in units},
            "opinions": {},
            "opened_at": timekeeping.local_iso(timekeeping.now()),
            "comment": data.get("comment", ""),
        },
    }


def record_opinion(application: Application, data: dict, user: User | None) -> None:
    """Effect ``record_opinion``: one opinion per unit, by a reviewer of that unit's region."""
    current = dict((application.modes or {}).get(KEY) or {})
    unit = user.region_code if user else None
    if user is None or unit not in current.get("units", []):  # a unit is never None
        raise Conflict("您所在单位不在本次联合审查之列", code="NOT_A_JOINT_REVIEW_UNIT")
    opinions = dict(current.get("opinions", {}))
    if unit in opinions:
        raise Conflict("本单位已出具联合审查意见", code="OPINION_ALREADY_GIVEN")
    opinions[unit] = {
        "opinion": data["opinion"],
        "opinion_label": OPINION_LABELS[data["opinion"]],
        "comment": data.get("comment", ""),
        "reviewer": user.display_name or user.username,
        "at": timekeeping.local_iso(timekeeping.now()),
    }
    application.modes = {**(application.modes or {}), KEY: {**current, "opinions": opinions}}


def awaits(application: Application, user: User) -> bool:
    """Whether the joint review still waits for the opinion of ``user``'s unit."""
    current = (application.modes or {}).get(KEY) or {}
    return user.region_code in current.get("units", []) and user.region_code not in current.get(
        "opinions", {}
    )


def all_answered(application: Application) -> bool:
    current = (application.modes or {}).get(KEY) or {}
    return bool(current.get("units")) and set(current["units"]) <= set(current["opinions"])


def state(application: Application) -> dict | None:
    """The joint review as stored on the case: units asked, opinions given."""
    return (application.modes or {}).get(KEY)
