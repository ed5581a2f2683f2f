"""The office's notion of now and today (Asia/Shanghai); tests replace ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return now().astimezone(OFFICE_TZ).date()


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the contract shows times."""
    return moment.astimezone(OFFICE_TZ).isoformat() if moment else None
