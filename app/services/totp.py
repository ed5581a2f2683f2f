"""Staff second factor: time-based one-time passwords (RFC 6238, pyotp).

A code is accepted for its own 30-second step and one step either side (clock drift), and
only once: the last accepted step is kept on the account and moved forward with a
conditional UPDATE, so a code seen over a shoulder or replayed by a proxy is refused even
within its window, and two simultaneous logins with one code cannot both pass.
"""

from __future__ import annotations

import hmac

import pyotp
from flask import current_app
from sqlalchemy import or_, update

from app import timekeeping
from app.domain import bulk
from app.domain.transaction import commit
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import User
from permits.identifiers import is_ascii_digits

STEP_SECONDS = 30
DRIFT_STEPS = 1


def _current_step() -> int:
    return int(timekeeping.now().timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to, within the allowed drift, or None."""
    code = (code or "").strip().replace(" ", "")
    if not is_ascii_digits(code):
        return None
    otp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = _current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str) -> bool:
    """Whether ``code`` is a fresh valid code of the user's active secret; records its step.

    Commits the accepted step at once: a replay arriving while this login goes on is
    already refused."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    taken = bulk.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    commit()
    db.session.refresh(user)
    return taken == 1


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.username or f"staff-{user.id}", issuer_name=current_app.config["TOTP_ISSUER"]
    )


def enrol(user: User) -> str:
    """Give the account a new active secret (an administrator hands it over: the CLI);
    returns the provisioning URI."""
    secret = pyotp.random_base32()
    user.totp_secret, user.totp_pending, user.totp_last_step = secret, None, None
    commit()
    return provisioning_uri(user, secret)


def start_enrolment(user: User) -> str:
    """A new secret waiting for its first code (the staff member's own page); the URI."""
    secret = pyotp.random_base32()
    user.totp_pending = secret
    commit()
    return provisioning_uri(user, secret)


def confirm_enrolment(user: User, code: str) -> None:
    """Activate the pending secret once the authenticator shows a right code."""
    if not user.totp_pending:
        raise Conflict("请先生成新的动态验证码密钥", code="TOTP_NOT_PENDING")
    step = _matching_step(user.totp_pending, code)
    if step is None:
        raise ValidationFailed(
            "动态验证码不正确，请核对手机时间后重试", errors={"totp": ["动态验证码不正确"]}
        )
    user.totp_secret, user.totp_pending, user.totp_last_step = user.totp_pending, None, step
    commit()


def reset(user: User) -> None:
    """Remove the second factor (a lost phone); the next login enrols again."""
    user.totp_secret, user.totp_pending, user.totp_last_step = None, None, None
    commit()
