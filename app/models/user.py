"""People who log in: applicants (WeChat) and staff (username, roles, region), and the
failed-login throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import JSONType, UTCDateTime, utcnow
from app.models.sealed import TOTP_PENDING, TOTP_SECRET

STAFF_ROLES = (
    "clerk",
    "reviewer",
    "inspector",
    "chief",  # 科室负责人: the section head (三级审批's 审核; ratings follow-up, workload)
    "approver",
    "dispatcher",
    "admin",
    "agent",
)
# Every role a person reads: staff roles, the applicant and the system (in timelines, the
# console, the API's action descriptions).
ROLE_LABELS = {
    "clerk": "受理员",
    "reviewer": "审查员",
    "inspector": "核查员",
    "chief": "科室负责人",
    "approver": "审批人",
    "dispatcher": "送达员",
    "admin": "管理员",
    "agent": "帮办员",
    "applicant": "申请人",
    "system": "系统",
}


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "applicant" | "staff"
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)
    region_code: Mapped[str | None] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Staff second factor (RFC 6238), sealed like personal data: the active secret, one
    # being enrolled (until a first code confirms it), and the last time step accepted
    # (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(TOTP_SECRET)
    totp_pending: Mapped[str | None] = mapped_column(TOTP_PENDING)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def staff_name(self) -> str:
        """How staff views name a staff member."""
        return self.display_name or self.username or f"staff-{self.id}"
