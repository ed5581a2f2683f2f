"""Sums of working-day spans counted in the database (statistics over many cases).

A span is the working days in ``(local date of start, local date of end]`` (zero when the
end is not after the start), as ``WorkingCalendar.working_days_between`` counts it. Summed
over many rows it is Σ ordinal(end) − Σ ordinal(start) over the rows whose end is after
their start; the database groups the rows by date, so Python looks up one working-day number
per distinct date, however many rows there are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, func, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.services import clock, timekeeping


class local_day(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """The office-local calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True


# China has kept UTC+8, without daylight saving, since 1991: a fixed shift gives the date.
_OFFSET_HOURS = int(datetime(2000, 1, 1, tzinfo=timekeeping.OFFICE_TZ).utcoffset().total_seconds())
_OFFSET_HOURS //= 3600


@compiles(local_day)
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+{_OFFSET_HOURS} hours')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"CAST(({column} AT TIME ZONE '{timekeeping.OFFICE_TZ.key}') AS DATE)"


def span_total(start: Any, end: Any, *conditions: Any) -> int:
    """Σ working days from ``start`` to ``end`` over the rows meeting ``conditions``."""
    first, last = local_day(start), local_day(end)
    counted = and_(*conditions, start.is_not(None), end.is_not(None), last > first)
    starts = select(first.label("day"), (-func.count()).label("weight")).where(counted)
    ends = select(last.label("day"), func.count().label("weight")).where(counted)
    rows = db.session.execute(union_all(starts.group_by(first), ends.group_by(last))).all()
    calendar = clock.calendar()
    return sum(int(weight) * calendar.ordinal(_as_date(day)) for day, weight in rows)


def _as_date(value: date | str) -> date:
    """SQLite hands the dates of a UNION back as text."""
    return value if isinstance(value, date) else date.fromisoformat(value)
