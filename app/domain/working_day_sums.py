"""Sums of working-day spans over many rows, grouped by the database (statistics).

A span is the working days in ``(local date of start, local date of end]`` (zero when the
end is not after the start), as ``WorkingCalendar.working_days_between`` counts it. The
database groups the rows by their (start date, end date) pair and counts them; each pair's
span is the difference of the two dates' working-day numbers (``WorkingCalendar.ordinal``).
So Python handles one row per pair of dates, however many cases share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app import timekeeping
from app.domain import clock


class local_day(FunctionElement):
    """The office-local calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True


def _office_offset_hours() -> int:
    offset = datetime(2000, 1, 1, tzinfo=timekeeping.OFFICE_TZ).utcoffset()
    if offset is None:  # an aware datetime always has one
        raise RuntimeError("the office time zone has no UTC offset")
    return int(offset.total_seconds()) // 3600


# China has kept UTC+8, without daylight saving, since 1991: a fixed shift gives the date.
_OFFSET_HOURS = _office_offset_hours()


@compiles(local_day)
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{_OFFSET_HOURS} hours')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(({column} AT TIME ZONE '{timekeeping.OFFICE_TZ.key}') AS DATE)"


def span_sum(pairs: Iterable[tuple[date | str | None, date | str | None, int]]) -> int:
    """Σ ``count`` × working days from start to end over (start, end, count) date pairs."""
    calendar = clock.calendar()
    total = 0
    for start, end, count in pairs:
        if start is None or end is None:
            continue
        span = calendar.ordinal(_as_date(end)) - calendar.ordinal(_as_date(start))
        total += count * max(span, 0)
    return total


def _as_date(value: date | str) -> date:
    """SQLite may hand a computed date back as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
