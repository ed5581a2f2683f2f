"""The current user as the login answer and ``/me`` show them: the object their schemas dump.

An applicant is shown by a masked openid (and, on ``/me``, the verified phone, masked, and
the enterprises they manage); a staff member by username, roles and region. A field of the
other kind is ``missing``, so the dump leaves it out rather than sending ``null``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import missing

from app.models import User
from app.services import enterprises, phone
from permits.identifiers import mask_openid


class ShownUser:
    """``user`` with what ``LoginUserSchema`` and ``MeSchema`` read off it."""

    def __init__(self, user: User) -> None:
        self.user = user

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def kind(self) -> str:
        return "staff" if self.user.is_staff else "applicant"

    def _staff(self, value: Any) -> Any:
        return value if self.user.is_staff else missing

    def _applicant(self, value: Any) -> Any:
        return missing if self.user.is_staff else value

    @property
    def username(self) -> Any:
        return self._staff(self.user.username)

    @property
    def roles(self) -> Any:
        return self._staff(self.user.roles)

    @property
    def region_code(self) -> Any:
        return self._staff(self.user.region_code)

    @property
    def openid_masked(self) -> Any:
        return self._applicant(mask_openid(self.user.openid or ""))

    @property
    def phone_masked(self) -> Any:  # read (and the phone unsealed) for an applicant only
        return missing if self.user.is_staff else phone.masked_phone(self.user)

    @property
    def enterprises(self) -> Any:
        return missing if self.user.is_staff else enterprises.list_enterprises(self.user)
