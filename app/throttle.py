"""Counting attempts against a limit in the rate limiter's storage.

Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``; Redis when several app servers run,
which production requires) is shared by every worker and server, and its ``hit`` is
atomic, so a burst of simultaneous attempts cannot slip extra tries through. Used where
a limit depends on the outcome (wrong passwords, wrong claim codes), which a route
decorator cannot see.
"""

from __future__ import annotations

import time

from flask import current_app
from limits import RateLimitItem, parse

from app.extensions import limiter


def _item(limit: str) -> RateLimitItem:
    return parse(limit)


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _key(*key: str) -> tuple[str, ...]:
    """The counter's identifiers, under the office's prefix (RATELIMIT_KEY_PREFIX), so offices
    or test runs sharing one Redis never count each other's attempts."""
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "throttle", *key)


def hit(limit: str, *key: str) -> bool:
    """Count one attempt; False when it is over the limit (and must be refused)."""
    return not _enabled() or limiter.limiter.hit(_item(limit), *_key(*key))


def allowed(limit: str, *key: str) -> bool:
    """Whether one more attempt would still be within the limit (counts nothing)."""
    return not _enabled() or limiter.limiter.test(_item(limit), *_key(*key))


def clear(limit: str, *key: str) -> None:
    if _enabled():
        limiter.limiter.clear(_item(limit), *_key(*key))


def retry_after(limit: str, *key: str) -> int:
    """Seconds until the oldest counted attempt leaves the window (at least 1)."""
    if not _enabled():
        return 1
    stats = limiter.limiter.get_window_stats(_item(limit), *_key(*key))
    return max(1, int(stats.reset_time - time.time()) + 1)
