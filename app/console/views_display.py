"""Reading aids of the console: 长辈模式 (large text, high contrast) and the session keep-alive.

长辈模式 is a cookie, so the browser remembers it and the server renders the page in it from
the first byte (no flash of small text, no script needed). The keep-alive answers the idle
warning's "继续办理": any request of a logged-in member refreshes the idle clock.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, g, redirect, request, url_for

from app.console.blueprint import bp
from app.web.reading_aids import set_elder_cookie


@bp.route("/display/elder", methods=["GET", "POST"])
def elder_mode():
    """Switch 长辈模式 on or off for this browser and go back to the page.

    GET serves the public verification page, whose CSP allows links but no forms; the
    cookie is a display preference, so a forged request can do no harm. That page sends no
    ``next`` (it must not repeat the number asked for), so the same-site referrer is used."""
    values = request.values
    response = redirect(_back_to(values.get("next") or _same_site_referrer()))
    set_elder_cookie(response, values.get("on") == "1")
    return response


@bp.route("/session/keepalive")
def keepalive():
    """204 while the session lives (the request itself renewed it); 401 once it has ended."""
    return Response(status=204 if g.get("staff") is not None else 401)


def _same_site_referrer() -> str:
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return ""
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _back_to(target: str) -> str:
    """Only pages of this site: the console and the public verification page."""
    if target.startswith(("/console/", "/api/v1/verify/")) and "//" not in target:
        return target
    return url_for("console.home")
