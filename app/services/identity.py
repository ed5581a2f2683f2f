"""Logging in: applicants through WeChat, staff with username and password."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from app import throttle
from app.domain.transaction import commit
from app.errors import AppError, TooManyRequests, Unauthorized, UpstreamError, fields_error
from app.extensions import db
from app.integrations.wechat import FakeWechat, LoginGateway, WechatClient, WechatError
from app.models import STAFF_ROLES, User
from app.services import totp
from permits.identifiers import is_region_code

log = logging.getLogger(__name__)

# An unknown user costs as much as a wrong password, so timing does not reveal usernames.
_DUMMY_HASH = generate_password_hash("zerovisit-timing-equaliser")


def login_gateway() -> LoginGateway:
    config = current_app.config
    if config["WECHAT_MODE"] == "fake":
        return FakeWechat()
    return WechatClient(
        config["WECHAT_API_BASE"],
        config["WECHAT_APPID"],
        config["WECHAT_SECRET"],
        timeout=config["WECHAT_TIMEOUT_SECONDS"],
    )


def _wechat_problem(error: WechatError) -> AppError:
    if error.errcode == 40029:
        return Unauthorized(
            "微信登录凭证无效或已过期，请重新进入小程序",
            code="WECHAT_CODE_INVALID",
            title="微信登录失败",
        )
    if error.errcode == 45011:
        return TooManyRequests(
            "登录过于频繁，请一分钟后再试",
            code="WECHAT_RATE_LIMITED",
            title="请求过于频繁",
        )
    if error.errcode == 40226:
        return Unauthorized(
            "该微信账号存在安全风险，暂时无法登录",
            code="WECHAT_USER_BLOCKED",
            title="微信登录失败",
        )
    if error.errcode in (40013, 40125):
        log.error("wechat rejected our credentials: errcode=%s", error.errcode)
        return UpstreamError("登录服务配置有误，请联系办事大厅", code="WECHAT_CONFIG_INVALID")
    return UpstreamError("微信服务繁忙，请稍后再试", code="WECHAT_UNAVAILABLE")


def login_with_wechat(code: str) -> User:
    """Exchange a mini-program login code for our applicant user (created on first login)."""
    try:
        session = login_gateway().code_to_session(code)
    except WechatError as exc:
        raise _wechat_problem(exc) from exc
    user = db.session.scalars(select(User).where(User.openid == session.openid)).first()
    if user is None:
        user = User(kind="applicant", openid=session.openid, unionid=session.unionid, roles=[])
        db.session.add(user)
        try:
            commit()
        except IntegrityError:
            # Two first logins raced; the other one created the user.
            db.session.rollback()
            user = db.session.scalars(select(User).where(User.openid == session.openid)).one()
    if not user.active:
        raise Unauthorized("该账号已停用", code="ACCOUNT_DISABLED", title="登录失败")
    return user


def _login_keys(username: str, address: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(limit setting, label, key) of the counters one staff login attempt spends."""
    return [
        # Guessing one account's password from one address.
        ("STAFF_LOGIN_LIMIT", "user", ("staff-login", username.casefold(), address)),
        # Spraying passwords over many usernames from one address.
        ("STAFF_LOGIN_ADDRESS_LIMIT", "address", ("staff-login-address", address)),
    ]


def _spend_attempt(username: str, address: str) -> None:
    """Count this attempt before checking the password; refuse it when over a limit.

    Counting first, atomically in the shared limiter storage, means a burst of
    simultaneous guesses cannot slip past the limit, on one server or several. Counters
    are per client address, so strangers elsewhere cannot lock a real user out.
    """
    config = current_app.config
    for setting, _label, key in _login_keys(username, address):
        if not throttle.hit(config[setting], *key):
            raise TooManyRequests(
                "登录尝试次数过多，请稍后再试",
                code="LOGIN_THROTTLED",
                title="请求过于频繁",
                headers={"Retry-After": str(throttle.retry_after(config[setting], *key))},
            )


# 等保 2.0 level 3: administrators and privileged users authenticate with two factors.
ROLES_NEEDING_TOTP = ("admin", "approver")


def _check_second_factor(user: User, totp_code: str | None) -> None:
    """The account's TOTP, when it has one; production refuses admins and approvers without.

    A wrong code spends an attempt of the same throttle as a wrong password (counted before
    the password was checked)."""
    if user.totp_secret:
        if not totp_code:
            raise Unauthorized(
                "该账号已启用双因素认证，请输入动态验证码",
                code="TOTP_REQUIRED",
                title="需要动态验证码",
            )
        if not totp.check_code(user, totp_code):
            raise Unauthorized(
                "动态验证码错误或已使用，请输入验证器上的新验证码",
                code="TOTP_REQUIRED",
                title="需要动态验证码",
            )
        return
    production = current_app.config["APP_ENV"] == "production"
    if production and set(ROLES_NEEDING_TOTP) & set(user.roles):
        raise Unauthorized(
            "管理员和审批人员须启用双因素认证后方可登录，请联系系统管理员绑定动态验证码",
            code="TOTP_ENROLMENT_REQUIRED",
            title="需要启用双因素认证",
        )


def login_staff(username: str, password: str, address: str, totp_code: str | None = None) -> User:
    """Check staff credentials, then the second factor; unknown user and wrong password
    answer alike.

    ``address`` is the client's (the login throttle counts per address)."""
    username = username.strip()
    _spend_attempt(username, address)
    user = db.session.scalars(
        select(User).where(User.username == username, User.kind == "staff")
    ).first()
    ok = check_password_hash((user.password_hash if user else None) or _DUMMY_HASH, password)
    if not (user and ok and user.active):
        raise Unauthorized("用户名或密码错误", code="INVALID_CREDENTIALS", title="登录失败")
    _check_second_factor(user, totp_code)
    setting, _, key = _login_keys(username, address)[0]
    throttle.clear(current_app.config[setting], *key)
    return user


def create_staff(username: str, password: str, roles: list[str], region_code: str) -> User:
    """Create a staff account (used by the CLI and by the demo data)."""
    errors: dict[str, list[str]] = {}
    if not username.strip():
        errors["username"] = ["请填写用户名"]
    if len(password) < 8:
        errors["password"] = ["密码至少8位"]
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if not roles or unknown:
        errors["role"] = [f"角色须为以下之一：{'、'.join(STAFF_ROLES)}"]
    if not is_region_code(region_code):
        errors["region"] = ["行政区划代码不正确"]
    if db.session.scalars(select(User).where(User.username == username.strip())).first():
        errors["username"] = ["用户名已存在"]
    if errors:
        raise fields_error(errors)
    user = User(
        kind="staff",
        username=username.strip(),
        password_hash=generate_password_hash(password),
        display_name=username.strip(),
        roles=sorted(set(roles)),
        region_code=region_code,
    )
    db.session.add(user)
    commit()
    return user
