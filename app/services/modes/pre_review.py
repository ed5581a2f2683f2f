"""Pre-review (先期预审): the clerk comments on a draft's materials before it is filed.

``request_pre_review`` sends a draft to the clerk and ``return_pre_review`` brings it back
as a draft with a general comment and a comment per material; no statutory clock runs in
between (the transitions carry no clock effect). The latest round is kept on the case and
shown next to each material until the applicant submits.
"""

from __future__ import annotations

from app import timekeeping
from app.domain import materials
from app.errors import field_error
from app.models import Application, User

KEY = "pre_review"


def record(application: Application, data: dict, user: User | None) -> None:
    """Keep the clerk's comments (effect ``record_pre_review``); unknown materials → 422."""
    comments = data.get("material_comments") or {}
    codes = {s.material.code for s in materials.material_statuses(application)}
    unknown = sorted(set(comments) - codes)
    if unknown:
        message = f"不是本申请的材料：{'、'.join(unknown)}"
        raise field_error("material_comments", message, "MATERIAL_UNKNOWN")
    rounds = (application.modes or {}).get(KEY, {}).get("rounds", 0)
    application.modes = {
        **(application.modes or {}),
        KEY: {
            "comment": data.get("comment", ""),
            "material_comments": dict(comments),
            "returned_at": timekeeping.local_iso(timekeeping.now()),
            "rounds": rounds + 1,
        },
    }


def latest_round(application: Application) -> dict | None:
    """The latest pre-review round as stored on the case."""
    return (application.modes or {}).get(KEY)


def material_comment(application: Application, code: str) -> str | None:
    current = latest_round(application)
    return (current or {}).get("material_comments", {}).get(code) if current else None
