"""WeChat mini-program server APIs over ``requests``, and a fake for local use and tests.

The base URL is configurable (``WECHAT_API_BASE``) so tests point it at a local server.
``session_key`` is a secret: it is never returned, stored or logged.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Protocol, TypeGuard

import requests

log = logging.getLogger(__name__)

MAX_IDENTIFIER_LENGTH = 64


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None


class WechatError(Exception):
    """WeChat answered with an ``errcode``, or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, errmsg: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"wechat errcode={errcode} errmsg={errmsg}")

    @property
    def retryable(self) -> bool:
        return self.errcode in (None, -1)


class LoginGateway(Protocol):
    def code_to_session(self, code: str) -> WechatSession: ...


class WechatApi:
    """The one HTTP client of WeChat's server APIs: base URL, timeout, answers and errors.

    Every call answers a JSON object; an ``errcode`` (or no usable answer) raises ``error``.
    A failed request's text may carry the URL, and so a token: only its type is logged.
    """

    error: type[WechatError] = WechatError

    def __init__(
        self, base_url: str, *, timeout: float = 5.0, session: requests.Session | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = session or requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict | None = None,
    ) -> dict:
        try:
            response = self.http.request(
                method, self.base_url + path, params=params, json=body, timeout=self.timeout
            )
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("wechat %s unreachable: %s", path, type(exc).__name__)
            raise self.error(None, type(exc).__name__) from None
        if not isinstance(data, dict):
            raise self.error(None, "unexpected response")
        errcode = data.get("errcode")
        if errcode:
            if isinstance(errcode, bool) or not isinstance(errcode, int):
                raise self.error(None, "malformed errcode")
            raise self.error(errcode, str(data.get("errmsg", ""))[:200])
        return data


class WechatClient(WechatApi):
    """Login: code2Session (tokens, messages and phone numbers are ``WechatMessageClient``'s)."""

    def __init__(
        self,
        base_url: str,
        appid: str,
        secret: str,
        *,
        timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        super().__init__(base_url, timeout=timeout, session=session)
        self.appid = appid
        self.secret = secret

    def code_to_session(self, code: str) -> WechatSession:
        data = self.call(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": self.appid,
                "secret": self.secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
        openid = data.get("openid")
        unionid = data.get("unionid")
        if not _is_identifier(openid):
            raise WechatError(None, "no valid openid in response")
        if unionid is not None and not _is_identifier(unionid):
            raise WechatError(None, "malformed unionid in response")
        return WechatSession(openid=openid, unionid=unionid)


def _is_identifier(value: object) -> TypeGuard[str]:
    """An openid/unionid as WeChat issues them: short printable ASCII (ours store 64)."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_IDENTIFIER_LENGTH
        and value.isascii()
        and value.isprintable()
    )


class FakeWechat:
    """Maps any code to one stable openid, so the same code always logs in the same user."""

    def code_to_session(self, code: str) -> WechatSession:
        digest = hashlib.sha256(code.encode("utf-8")).hexdigest()
        return WechatSession(openid=f"fake-{digest[:24]}")
