"""The 长辈模式 preference shared by the console and the public verification page."""

from __future__ import annotations

from flask import Request, Response

ELDER_COOKIE = "elder"
ONE_YEAR = 365 * 24 * 3600


def elder_mode_on(request: Request) -> bool:
    """Whether this browser asked for large text and high contrast."""
    return request.cookies.get(ELDER_COOKIE) == "1"


def set_elder_cookie(response: Response, on: bool) -> None:
    """Remember (or forget) 长辈模式 in this browser for a year."""
    if on:
        response.set_cookie(ELDER_COOKIE, "1", max_age=ONE_YEAR, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax", httponly=True)
