"""A local stand-in for WeChat's server APIs over real HTTP: jscode2session (login),
stable_token, subscribe/send and getuserphonenumber.

It runs in a thread on 127.0.0.1 (port chosen by the OS), counts every call, remembers each
message it accepted, and can be told to fail: the next sends answer a given errcode, some
openids have not subscribed (43101), issued tokens can be revoked (40001).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeWechatServer:
    def __init__(self, expires_in: int = 7200) -> None:
        self.expires_in = expires_in
        self.token_requests: list[dict] = []
        self.send_attempts = 0
        self.sent: list[dict] = []
        self.unsubscribed: set[str] = set()
        self.valid_tokens: set[str] = set()
        self.sticky_token: str | None = None
        self.phone_codes: dict[str, str] = {}  # getPhoneNumber code → the number it names
        self.phone_requests: list[dict] = []
        self._scripted: deque[int] = deque()
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeWechatServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def fail_next_sends(self, errcode: int, times: int = 1) -> None:
        """The next ``times`` sends answer ``errcode`` (−1 busy, 47003 bad data, …)."""
        with self._lock:
            self._scripted.extend([errcode] * times)

    def revoke_tokens(self, *, until_forced: bool = False) -> None:
        """Every token issued so far answers 40001 from now on.

        ``until_forced``: an ordinary token request still hands out the revoked token; only a
        forced refresh issues a new one.
        """
        with self._lock:
            self.sticky_token = sorted(self.valid_tokens)[-1] if until_forced else None
            self.valid_tokens.clear()

    def _issue_token(self, body: dict) -> dict:
        with self._lock:
            self.token_requests.append(body)
            if self.sticky_token and not body.get("force_refresh"):
                token = self.sticky_token
            elif body.get("force_refresh") or not self.valid_tokens:
                token = f"TOKEN-{next(self._serial):04d}"
                self.valid_tokens.add(token)
                self.sticky_token = None
            else:
                token = sorted(self.valid_tokens)[-1]
        return {"access_token": token, "expires_in": self.expires_in}

    def _send(self, token: str, body: dict) -> dict:
        with self._lock:
            self.send_attempts += 1
            if token not in self.valid_tokens:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            if self._scripted:
                return {"errcode": self._scripted.popleft(), "errmsg": "scripted failure"}
            if body.get("touser") in self.unsubscribed:
                return {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
            self.sent.append(body)
        return {"errcode": 0, "errmsg": "ok"}

    def _phone(self, token: str, body: dict) -> dict:
        with self._lock:
            self.phone_requests.append(body)
            if token not in self.valid_tokens:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            if self._scripted:
                return {"errcode": self._scripted.popleft(), "errmsg": "scripted failure"}
            number = self.phone_codes.get(body.get("code", ""))
        if number is None:
            return {"errcode": 40029, "errmsg": "invalid code"}
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": number,
                "purePhoneNumber": number,
                "countryCode": "86",
                "watermark": {"timestamp": 1795000000, "appid": "wx-test-app"},
            },
        }

    @staticmethod
    def _session(query: dict[str, list[str]]) -> dict:
        """The login answer: the same openid the app's fake gateway derives from a code, so a
        user who logged in before the switch to this server is the same user after it."""
        code = query.get("js_code", [""])[0]
        if not code:
            return {"errcode": 40029, "errmsg": "invalid code"}
        digest = hashlib.sha256(code.encode("utf-8")).hexdigest()
        return {"openid": f"fake-{digest[:24]}", "session_key": "fake-session-key"}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != "/sns/jscode2session":
                    self.send_error(404)
                    return
                self._answer(fake._session(parse_qs(url.query)))

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if url.path == "/cgi-bin/stable_token":
                    answer = fake._issue_token(body)
                elif url.path == "/cgi-bin/message/subscribe/send":
                    token = parse_qs(url.query).get("access_token", [""])[0]
                    answer = fake._send(token, body)
                elif url.path == "/wxa/business/getuserphonenumber":
                    token = parse_qs(url.query).get("access_token", [""])[0]
                    answer = fake._phone(token, body)
                else:
                    self.send_error(404)
                    return
                self._answer(answer)

            def _answer(self, answer: dict) -> None:
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def refused_base_url() -> str:
    """A local address where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
