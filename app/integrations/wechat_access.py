"""WeChat's delivery settings and the access token every sender of the office shares.

The access token is cached in ``wechat_access_tokens`` for every worker, refreshed five
minutes before it expires, and fetched at most once per drain (twice when WeChat rejects it).

Settings (Flask config first, then the environment): ``WECHAT_MODE`` (only ``real`` sends),
``WECHAT_APPID``, ``WECHAT_SECRET``, ``WECHAT_API_BASE``, ``WECHAT_TIMEOUT_SECONDS``,
``WECHAT_MINIPROGRAM_STATE`` (formal | trial | developer), ``WECHAT_TEMPLATE_<TOPIC>`` (the
template id per topic: CASE, DELIVERY, LICENCE, REMINDER; none → inbox only),
``WECHAT_TEMPLATE_<TOPIC>_FIELDS`` (``thing1=title,thing2=body,time3=created_at``: template key
= message value, from ``title``, ``body``, ``created_at`` and the payload), ``WECHAT_PAGE_<TOPIC>``
(the mini-program page, formatted with the payload), ``OUTBOX_MAX_ATTEMPTS`` (10),
``OUTBOX_RETRY_BASE_SECONDS`` (60), ``OUTBOX_RETRY_MAX_SECONDS`` (3600),
``OUTBOX_LEASE_SECONDS`` (600).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import timekeeping
from app.extensions import db
from app.integrations.wechat_messages import AccessToken, WechatMessageClient, WechatMessageError
from app.models import WechatAccessToken
from app.sql import insert_ignore

log = logging.getLogger(__name__)

TOKEN_REFRESH_MARGIN = timedelta(minutes=5)
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)  # "expired" for a token row not yet filled
DEFAULT_FIELDS = {"thing1": "title", "thing2": "body", "time3": "created_at"}
HOME_PAGE = "pages/index/index"
DEFAULT_PAGES = {
    "case": "pages/applications/detail?id={application_id}",
    "delivery": "pages/applications/detail?id={application_id}",
    "licence": "pages/licences/detail?id={licence_id}",
    "reminder": "pages/licences/detail?id={licence_id}",
    "request": "pages/requests/detail?id={request_id}",
    "appointment": "pages/appointments/index",
}


def _setting(name: str, default: str = "") -> str:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name, default)
    return str(value)


def _parse_fields(text: str) -> dict[str, str]:
    """``thing1=title, time3=created_at`` → ``{"thing1": "title", "time3": "created_at"}``."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {key.strip(): source.strip() for key, source in pairs if key.strip()}


@dataclass(frozen=True)
class DeliverySettings:
    wechat_enabled: bool
    appid: str
    secret: str
    api_base: str
    timeout: float
    miniprogram_state: str
    max_attempts: int
    retry_base_seconds: int
    retry_max_seconds: int
    lease_seconds: int

    def template(self, topic: str) -> str:
        return _setting(f"WECHAT_TEMPLATE_{topic.upper()}")

    def fields(self, topic: str) -> dict[str, str]:
        return _parse_fields(_setting(f"WECHAT_TEMPLATE_{topic.upper()}_FIELDS")) or DEFAULT_FIELDS

    def page(self, topic: str, payload: dict) -> str:
        template = _setting(f"WECHAT_PAGE_{topic.upper()}", DEFAULT_PAGES.get(topic, HOME_PAGE))
        try:
            return template.format(**payload)
        except (KeyError, IndexError, ValueError):
            return HOME_PAGE

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failure: base, 2×base, 4×base … up to the maximum."""
        seconds = self.retry_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))


def delivery_settings() -> DeliverySettings:
    return DeliverySettings(
        wechat_enabled=_setting("WECHAT_MODE", "fake") == "real",
        appid=_setting("WECHAT_APPID"),
        secret=_setting("WECHAT_SECRET"),
        api_base=_setting("WECHAT_API_BASE", "https://api.weixin.qq.com"),
        timeout=float(_setting("WECHAT_TIMEOUT_SECONDS", "5")),
        miniprogram_state=_setting("WECHAT_MINIPROGRAM_STATE", "formal"),
        max_attempts=int(_setting("OUTBOX_MAX_ATTEMPTS", "10")),
        retry_base_seconds=int(_setting("OUTBOX_RETRY_BASE_SECONDS", "60")),
        retry_max_seconds=int(_setting("OUTBOX_RETRY_MAX_SECONDS", "3600")),
        lease_seconds=int(_setting("OUTBOX_LEASE_SECONDS", "600")),
    )


class TokenUnavailable(Exception):
    """No usable access token in this drain; the message waits for the next one."""


class TokenCache:
    """The shared access token: read from the database, fetched from WeChat when stale.

    Within one drain a failed fetch is not repeated, and a token WeChat rejects is replaced
    only once: a second rejection means something is wrong that retrying will not mend.
    """

    def __init__(self, client: WechatMessageClient, settings: DeliverySettings) -> None:
        self.client = client
        self.settings = settings
        self.fetches = 0
        self.current: str | None = None
        self.replaced = False
        self.failure: str | None = None

    def get(self) -> str:
        if self.failure is not None:
            raise TokenUnavailable(self.failure)
        if self.current is None:
            self.current = self._load_or_fetch(rejected=None)
        return self.current

    def replace(self, rejected: str) -> str:
        """A fresh token after WeChat rejected ``rejected`` (40001/42001)."""
        if self.current is not None and self.current != rejected:
            return self.current  # replaced already, for an earlier message
        if self.replaced:
            raise TokenUnavailable("微信再次拒绝了新换取的 access_token")
        self.replaced = True
        self.current = None
        self.current = self._load_or_fetch(rejected=rejected)
        return self.current

    def _load_or_fetch(self, rejected: str | None) -> str:
        now = timekeeping.now()
        appid = self.settings.appid
        db.session.execute(
            insert_ignore(
                WechatAccessToken.__table__,
                {"appid": appid, "access_token": "", "expires_at": LONG_AGO},
            )
        )
        # Row-locked on PostgreSQL: workers that find the token stale fetch one after another,
        # and the second finds the first one's token fresh.
        row = db.session.scalars(
            select(WechatAccessToken)
            .where(WechatAccessToken.appid == appid)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        fresh = row.expires_at - TOKEN_REFRESH_MARGIN > now
        if row.access_token and fresh and row.access_token != rejected:
            token = row.access_token
            db.session.commit()
            return token
        try:
            fetched = self._fetch(force_refresh=False)
            if fetched.value == rejected:
                # WeChat still hands out the token it just refused; only a forced refresh
                # (limited to 20 a day) replaces it.
                fetched = self._fetch(force_refresh=True)
        except WechatMessageError as exc:
            db.session.rollback()
            log.error("wechat access token unavailable: errcode=%s", exc.errcode)
            self.failure = f"无法获取 access_token（{describe(exc)}）"
            raise TokenUnavailable(self.failure) from exc
        row.access_token = fetched.value
        row.expires_at = now + timedelta(seconds=fetched.expires_in)
        db.session.commit()
        return fetched.value

    def _fetch(self, *, force_refresh: bool) -> AccessToken:
        self.fetches += 1
        return self.client.stable_token(
            self.settings.appid, self.settings.secret, force_refresh=force_refresh
        )


def describe(error: WechatMessageError) -> str:
    return f"微信返回 {error.errcode}：{error.errmsg}" if error.errcode else "微信服务不可达"
