"""Transitions of the seeds' service modes (contract v1.1, "Service modes of the seeds").

- 秒批 (instant approval): a submitted case whose catalogue conditions all hold is accepted,
  decided and its licence issued by the system in the same request.
- 先期预审 (pre-review): a draft goes to the clerk for comments per material and comes back as
  a draft; no statutory clock runs meanwhile.
- 联合审查 (joint review): a reviewer asks units (regions) for opinions; the system returns the
  case to review once every unit has answered.

The states themselves are in ``common.STATES``; the app decides when the system acts.
"""

from __future__ import annotations

from workflows.definitions.common import OPTIONAL_COMMENT, REASON, E, t
from workflows.engine import Field

INSTANT_APPROVE = t(
    "instant_approve",
    "submitted",
    "approved",
    "system",
    "秒批（即时办理）",
    fields=(Field("rules", "符合的秒批条件", kind="list"), OPTIONAL_COMMENT),
    effects=(E.STOP_CLOCK, E.ISSUE_LICENCE, E.START_DELIVERY_CLOCK, E.NOTIFY_APPLICANT),
    note="全部秒批条件成立",
)
REQUEST_PRE_REVIEW = t("request_pre_review", "draft", "pre_review", "applicant", "申请先期预审")
RETURN_PRE_REVIEW = t(
    "return_pre_review",
    "pre_review",
    "draft",
    "clerk",
    "退回预审意见",
    fields=(REASON, Field("material_comments", "材料意见", required=False, kind="map")),
    effects=(E.RECORD_PRE_REVIEW, E.NOTIFY_APPLICANT),
)
OPEN_JOINT_REVIEW = t(
    "open_joint_review",
    "under_review",
    "joint_review",
    "reviewer",
    "发起联合审查",
    fields=(Field("units", "联合审查单位", kind="list", max_length=6), OPTIONAL_COMMENT),
    effects=(E.OPEN_JOINT_REVIEW,),
)
GIVE_OPINION = t(
    "give_opinion",
    "joint_review",
    None,
    "reviewer",
    "出具联合审查意见",
    fields=(Field("opinion", "审查意见", choices=("agree", "disagree")), OPTIONAL_COMMENT),
    effects=(E.RECORD_OPINION,),
)
CLOSE_JOINT_REVIEW = t(
    "close_joint_review", "joint_review", "under_review", "system", "联合审查意见已齐"
)

PRE_REVIEW = (REQUEST_PRE_REVIEW, RETURN_PRE_REVIEW)
JOINT_REVIEW = (OPEN_JOINT_REVIEW, GIVE_OPINION, CLOSE_JOINT_REVIEW)
MODES = (INSTANT_APPROVE, *PRE_REVIEW, *JOINT_REVIEW)
