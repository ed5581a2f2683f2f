"""Managing staff accounts after creation: listing, roles and region, deactivation and
password resets (the console's administration pages and ``flask staff``)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.domain import access
from app.domain.transaction import commit
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import STAFF_ROLES, User
from permits.identifiers import is_region_code

MIN_PASSWORD_LENGTH = 8


def list_staff(region_code: str | None = None) -> list[User]:
    """Staff accounts, by username; with ``region_code``, only those within it."""
    query = select(User).where(User.kind == "staff").order_by(User.username)
    staff = db.session.scalars(query)
    if region_code is None:
        return list(staff)
    prefix = access.region_prefix(region_code)
    return [u for u in staff if (u.region_code or "").startswith(prefix)]


def find_staff(username: str) -> User:
    user = db.session.scalars(
        select(User).where(User.kind == "staff", User.username == username.strip())
    ).first()
    if user is None:
        raise NotFound("没有这个工作人员账号", code="STAFF_NOT_FOUND")
    return user


def get_staff_in_region(admin: User, user_id: int) -> User:
    """A staff account the admin may manage (within the admin's region), else 404."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff or not access.in_region(admin, user.region_code or ""):
        raise NotFound("没有这个工作人员账号", code="STAFF_NOT_FOUND")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"密码至少{MIN_PASSWORD_LENGTH}位"
        raise ValidationFailed(message, errors={"password": [message]})


def set_active(user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated one can no longer log in and
    its tokens and console sessions stop working at once."""
    user.active = active
    commit()
    return user


def reset_password(user: User, password: str) -> User:
    """Set a new password; console sessions opened with the old one end."""
    _check_password(password)
    user.password_hash = generate_password_hash(password)
    commit()
    return user


def update_staff(user: User, roles: list[str], region_code: str) -> User:
    """Change an account's roles and jurisdiction."""
    errors: dict[str, list[str]] = {}
    if not roles or any(r not in STAFF_ROLES for r in roles):
        errors["role"] = [f"角色须为以下之一：{'、'.join(STAFF_ROLES)}"]
    if not is_region_code(region_code):
        errors["region"] = ["行政区划代码不正确"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    user.roles = sorted(set(roles))
    user.region_code = region_code
    commit()
    return user
