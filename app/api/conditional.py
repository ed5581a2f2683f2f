"""Conditional reads of a case: the phone polls its status with ``If-None-Match``.

The ETag is the case's version (bumped by every change to the case, its documents and its
verdicts) and the office date (the deadline fields count working days from today, so the
view changes at midnight without a new version). A match is answered 304 after one small
query — the version, under the caller's visibility — without loading the case's details;
for an applicant's token that one query checks the user too (the phone's poll is one round
trip).
"""

from __future__ import annotations

from flask import Response

from app import timekeeping
from app.domain import access
from app.models import User


def applicant_claims(claims: dict) -> bool:
    """Whether the token is an applicant's (whose poll is one statement)."""
    return claims.get("k") == "applicant" and isinstance(claims.get("uid"), int)


def applicant_etag(claims: dict, application_id: int) -> str | None:
    """The ETag for an applicant's token, the user checked in the same statement; None when
    that does not settle it (staff, a user or case not found: the full path answers)."""
    if not applicant_claims(claims):
        return None
    version = access.applicant_version(claims["uid"], application_id)
    return None if version is None else etag_of(version)


def application_etag(user: User, application_id: int) -> str | None:
    """The current ETag of a case the caller may see; None when it is not theirs to see."""
    version = access.visible_version(user, application_id)
    return None if version is None else etag_of(version)


def etag_of(version: int) -> str:
    return f'W/"{version}-{timekeeping.today():%Y%m%d}"'


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``*`` or any listed tag equal to ``etag``."""
    opaque = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def cache_headers(etag: str) -> dict[str, str]:
    """The validator and its rules: private to the caller (the actions offered depend on
    who asks), and revalidated on every poll."""
    return {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}


def not_modified(etag: str) -> Response:
    response = Response(status=304)
    response.headers.update(cache_headers(etag))
    return response
