"""Binding an applicant's phone number through WeChat (``getPhoneNumber``).

The mini-program's phone button yields a one-time code; the server trades it for the number
with the stable access token the outbox already caches (``TokenCache``), so both share one
token and one refresh policy. The verified number is stored for the user and offered as the
default delivery contact; responses only ever show it masked.

With ``WECHAT_MODE=fake`` any non-empty code maps deterministically to one mainland mobile
number, so a development mini-program works without WeChat.
"""

from __future__ import annotations

import hashlib
import logging

import requests

from app.domain import timekeeping
from app.domain.transaction import commit
from app.errors import AppError, Forbidden, UpstreamError, ValidationFailed
from app.extensions import db
from app.integrations.wechat_messages import PhoneNumber, WechatMessageClient, WechatMessageError
from app.jobs.outbox_delivery import TokenCache, TokenUnavailable, delivery_settings
from app.models import User, VerifiedPhone
from permits.identifiers import mask_phone

log = logging.getLogger(__name__)

CODE_INVALID = 40029
RATE_LIMITED = 45011
CONFIG_INVALID = frozenset({40013, 40125, 41002, 41004})


def _fake_number(code: str) -> PhoneNumber:
    digits = str(int(hashlib.sha256(code.encode("utf-8")).hexdigest(), 16))[-8:]
    return PhoneNumber(pure=f"139{digits}", country_code="86")


def _problem(error: WechatMessageError) -> AppError:
    if error.errcode == CODE_INVALID:
        message = "手机号授权已失效，请重新点击授权"
        return ValidationFailed(
            message, code="WECHAT_PHONE_CODE_INVALID", errors={"code": [message]}
        )
    if error.errcode == RATE_LIMITED:
        return AppError(
            "获取手机号过于频繁，请稍后再试",
            status=429,
            code="WECHAT_RATE_LIMITED",
            title="请求过于频繁",
        )
    if error.errcode in CONFIG_INVALID:
        log.error("wechat rejected our credentials: errcode=%s", error.errcode)
        return UpstreamError("手机号服务配置有误，请联系办事大厅", code="WECHAT_CONFIG_INVALID")
    return UpstreamError("微信服务繁忙，请稍后再试", code="WECHAT_UNAVAILABLE")


def _ask_wechat(code: str) -> PhoneNumber:
    settings = delivery_settings()
    with requests.Session() as http:
        client = WechatMessageClient(settings.api_base, timeout=settings.timeout, session=http)
        tokens = TokenCache(client, settings)
        try:
            token = tokens.get()
            try:
                return client.user_phone_number(token, code)
            except WechatMessageError as exc:
                if not exc.token_invalid:
                    raise
                return client.user_phone_number(tokens.replace(rejected=token), code)
        except TokenUnavailable as exc:
            raise UpstreamError("微信服务繁忙，请稍后再试", code="WECHAT_UNAVAILABLE") from exc
        except WechatMessageError as exc:
            raise _problem(exc) from exc


def bind_phone(user: User, code: str) -> VerifiedPhone:
    """Trade a ``getPhoneNumber`` code for the user's number and keep it as verified."""
    if user.is_staff:
        raise Forbidden("仅小程序用户可以绑定手机号")
    if not code.strip():
        raise ValidationFailed("请先授权手机号", errors={"code": ["请先授权手机号"]})
    settings = delivery_settings()
    number = _ask_wechat(code) if settings.wechat_enabled else _fake_number(code)
    row = db.session.get(VerifiedPhone, user.id)
    if row is None:
        row = VerifiedPhone(user_id=user.id)
        db.session.add(row)
    row.phone = number.pure
    row.country_code = number.country_code
    row.verified_at = timekeeping.now()
    commit()
    return row


def verified_phone(user: User) -> str | None:
    """The user's verified number, for server-side use only (never shown unmasked)."""
    row = db.session.get(VerifiedPhone, user.id)
    return row.phone if row is not None else None


def masked_phone(user: User) -> str | None:
    phone = verified_phone(user)
    return mask_phone(phone) if phone else None


def prefill_delivery(user: User, delivery: dict) -> dict:
    """Fill a new application's delivery phone from the verified number.

    The phone shows the masked number as the default; sent back unchanged (or left out) it
    stands for the verified number, which the client never sees in full.
    """
    phone = verified_phone(user)
    given = delivery.get("phone")
    if phone and (not isinstance(given, str) or not given.strip() or given == mask_phone(phone)):
        return {**delivery, "phone": phone}
    return delivery
