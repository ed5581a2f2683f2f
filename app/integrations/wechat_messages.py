"""WeChat subscribe messages over ``requests``: the stable access token, sending, value limits.

The outbox worker uses this; code2Session (login) lives in ``wechat.py``. The base URL and
timeout come from the caller (``WECHAT_API_BASE``, ``WECHAT_TIMEOUT_SECONDS``) so tests point
it at a local server. The access token travels in a query string: it is never logged.

WeChat refuses a whole message when one value breaks the limit of its key type (``47003``),
so ``fit_value`` cuts every value to its type's limit before sending.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.integrations.wechat import WechatApi, WechatError
from permits.identifiers import is_ascii_digits

log = logging.getLogger(__name__)

OFFICE_TZ = ZoneInfo("Asia/Shanghai")

BUSY = -1
NOT_SUBSCRIBED = 43101
# 40001: invalid credential, 40014: invalid token, 42001: token expired.
TOKEN_INVALID = frozenset({40001, 40014, 42001})
# 45009: daily call quota reached; it resets, so the message waits rather than fails.
TRANSIENT = frozenset({BUSY, 45009})


class WechatMessageError(WechatError):
    """WeChat refused or could not take a token/message request; says what to do next."""

    @property
    def retryable(self) -> bool:
        """Busy, quota or network trouble: the same request may succeed later."""
        return self.errcode is None or self.errcode in TRANSIENT

    @property
    def token_invalid(self) -> bool:
        """The access token was rejected: fetch a fresh one and try once more."""
        return self.errcode in TOKEN_INVALID

    @property
    def not_subscribed(self) -> bool:
        """The user has not subscribed to (or refused) this template: never retry."""
        return self.errcode == NOT_SUBSCRIBED


@dataclass(frozen=True)
class PhoneNumber:
    """The number WeChat verified for a user: ``pure`` is without the country code."""

    pure: str
    country_code: str


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int


class WechatMessageClient(WechatApi):
    """``/cgi-bin/stable_token``, ``/cgi-bin/message/subscribe/send`` and the phone number."""

    error = WechatMessageError

    def stable_token(self, appid: str, secret: str, force_refresh: bool = False) -> AccessToken:
        """The app's access token; ``force_refresh`` is limited by WeChat (20 a day)."""
        data = self.call(
            "POST",
            "/cgi-bin/stable_token",
            body={
                "grant_type": "client_credential",
                "appid": appid,
                "secret": secret,
                "force_refresh": force_refresh,
            },
        )
        token = data.get("access_token")
        if not token:
            raise WechatMessageError(None, "no access_token in response")
        return AccessToken(value=str(token), expires_in=int(data.get("expires_in", 7200)))

    def send_subscribe_message(
        self,
        access_token: str,
        touser: str,
        template_id: str,
        page: str,
        data: Mapping[str, Any],
        miniprogram_state: str = "formal",
    ) -> None:
        """Send one subscribe message; values are fitted to their key type's limits."""
        self.call(
            "POST",
            "/cgi-bin/message/subscribe/send",
            body={
                "touser": touser,
                "template_id": template_id,
                "page": page,
                "data": {key: {"value": fit_value(key, value)} for key, value in data.items()},
                "miniprogram_state": miniprogram_state,
                "lang": "zh_CN",
            },
            params={"access_token": access_token},
        )

    def user_phone_number(self, access_token: str, code: str) -> PhoneNumber:
        """``/wxa/business/getuserphonenumber``: the phone a ``getPhoneNumber`` code names.

        Authorised by the same stable access token as subscribe messages.
        """
        data = self.call(
            "POST",
            "/wxa/business/getuserphonenumber",
            body={"code": code},
            params={"access_token": access_token},
        )
        info = data.get("phone_info")
        info = info if isinstance(info, dict) else {}
        pure = str(info.get("purePhoneNumber") or "")
        if not is_ascii_digits(pure):
            raise WechatMessageError(None, "no phone number in response")
        return PhoneNumber(pure=pure, country_code=str(info.get("countryCode") or "86"))


# Key type → most characters WeChat takes (subscribe message documentation).
MAX_LENGTH = {
    "thing": 20,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phrase": 5,
    "name": 10,
    "amount": 11,
    "phone_number": 17,
    "car_number": 8,
}
NAME_LATIN_MAX = 20  # a name in Latin letters may be twice as long
ELLIPSIS = "…"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_DIGIT = re.compile(r"[^0-9.]")
_NOT_LETTER = re.compile(r"[^A-Za-z]")
_KEY_TYPE = re.compile(r"^([a-z_]+?)\d*$")


def key_type(key: str) -> str:
    """``thing12`` → ``thing``; ``character_string3`` → ``character_string``."""
    match = _KEY_TYPE.match(key)
    return match.group(1) if match else key


def _as_text(value: Any) -> str:
    return " ".join(str(value if value is not None else "").split())


def _shanghai(moment: datetime) -> datetime:
    return moment.astimezone(OFFICE_TZ) if moment.tzinfo else moment


def _parse_moment(value: Any) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    text = _as_text(value)
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def _fit_moment(kind: str, value: Any) -> str:
    """``date``: 2026年11月23日 (time added when known); ``time``: 2026年11月23日 10:00."""
    moment = _parse_moment(value)
    if moment is None:  # already formatted by the caller, e.g. a range "9:00~12:00"
        return _as_text(value)[:32]
    if isinstance(moment, datetime):
        local = _shanghai(moment)
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    if kind == "time":
        return f"{moment.year}年{moment.month}月{moment.day}日 00:00"
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def fit_value(key: str, value: Any) -> str:
    """``value`` as WeChat accepts it for ``key``'s type: shortened, filtered, formatted.

    ``thing`` (≤20) is cut with an ellipsis; ``character_string``/``number``/``letter`` hold no
    Chinese, so Han characters (or everything not allowed) are dropped before cutting;
    ``phrase`` (≤5) and ``name`` (≤10) keep Han characters only; ``time``/``date`` get
    WeChat's 年月日 24-hour format. Unknown types are treated like ``thing``. An empty value
    becomes a dash, because WeChat refuses empty values.
    """
    kind = key_type(key)
    if kind in ("time", "date"):
        return _fit_moment(kind, value) or "-"
    text = _as_text(value.isoformat() if isinstance(value, date) else value)
    if kind == "character_string":
        text = _HAN.sub("", text).strip()[:32]
    elif kind == "number":
        text = _NOT_DIGIT.sub("", text)[:32]
    elif kind == "letter":
        text = _NOT_LETTER.sub("", text)[:32]
    elif kind == "phrase":
        text = _NOT_HAN.sub("", text)[:5]
    elif kind == "name":
        han = _NOT_HAN.sub("", text)
        text = han[:10] if han else _NOT_LETTER.sub("", text)[:NAME_LATIN_MAX]
    elif kind in MAX_LENGTH and kind != "thing":
        text = text[: MAX_LENGTH[kind]]
    else:
        text = _cut(text, MAX_LENGTH["thing"])
    return text or "-"
