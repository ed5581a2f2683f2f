"""The statutory clock: Chinese working days (《行政许可法》Art. 82).

Time limits of the licensing procedure count working days: weekends and statutory
holidays are not counted, and the make-up working days (调休) the State Council announces
each year are. Which days those are comes from, in this order:

1. schedule files ``{year}.yaml`` (see ``schedules/README.md``): the year's State Council
   notice as data, for a year announced after the installed ``chinese-calendar`` was
   released, or to correct it;
2. the ``chinese-calendar`` package (it knows 2004–2026);
3. otherwise the national rule of 《全国年节及纪念日放假办法》 (as amended in 2024): the
   statutory holidays, lunar dates and make-up days for holidays on a weekend (补假)
   included, as the ``holidays`` package computes them for any year — without the year's
   调休, which only the notice announces. One warning per such year goes to the log.

Counting is a subtraction: each year gets a table of cumulative working days, built once,
and every date an ordinal working-day number (``WorkingCalendar.ordinal``), so the working
days between two dates are the difference of their numbers.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import chinese_calendar
import holidays
import yaml

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE_DIR = Path(__file__).with_name("schedules")
LIBRARY_YEARS = frozenset(day.year for day in chinese_calendar.holidays)
SCHEDULE_KEYS = ("year", "source", "holidays", "workdays")
HOLIDAY_RANGE_KEYS = ("from", "to", "name")
WEEKDAY_NAMES = "一二三四五六日"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SCHEDULE_FILE_NAME = re.compile(r"\d{4}")


class ScheduleError(ValueError):
    """A schedule file or folder that cannot be loaded; the message says why, in Chinese."""


@dataclass(frozen=True)
class Schedule:
    """One year's announced holidays (rest days) and make-up working days."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return not _is_weekend(day)


def statutory_holidays(year: int) -> frozenset[date]:
    """The rest days the national rule gives in ``year`` (with 补假, without 调休)."""
    return frozenset(holidays.country_holidays("CN", years=year))


def national_rule_schedule(year: int) -> Schedule:
    """``year`` by the national rule alone, for a year whose notice is not loaded."""
    source = "全国年节及纪念日放假办法（法定节假日规则）"
    return Schedule(year, source, statutory_holidays(year), frozenset())


def statutory_days_missing(schedule: Schedule) -> list[str]:
    """Statutory holidays (not their 补假) that ``schedule`` would have worked: a notice
    always gives them, so a file that lacks one was copied wrongly."""
    statutory = holidays.country_holidays("CN", years=schedule.year, observed=False)
    return [
        f"{day.isoformat()}（{name}）"
        for day, name in sorted(statutory.items())
        if schedule.is_working_day(day)
    ]


@dataclass(frozen=True)
class _YearTable:
    """Cumulative working days of one year: ``counts[i]`` covers 1 January … day ``i``."""

    year: int
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.counts[-1]

    def upto(self, day: date) -> int:
        return self.counts[day.timetuple().tm_yday - 1]

    def nth(self, n: int) -> date:
        """The day on which the year's ``n``-th working day falls (1 ≤ n ≤ total)."""
        return date(self.year, 1, 1) + timedelta(days=bisect.bisect_left(self.counts, n))


class WorkingCalendar:
    """Working days from the schedule files in ``schedule_dir``, then ``chinese-calendar``,
    then the national rule."""

    def __init__(self, schedule_dir: Path | None = None) -> None:
        directory = schedule_dir or DEFAULT_SCHEDULE_DIR
        if not directory.is_dir():
            raise ScheduleError(f"节假日安排目录不存在：{directory}")
        self._schedules = {
            schedule.year: schedule for schedule in map(load_schedule, _schedule_files(directory))
        }
        self._tables: dict[int, _YearTable] = {}
        self._year_offsets: dict[int, int] = {}
        self._warned_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        table = self._table(day.year)
        yday = day.timetuple().tm_yday - 1
        return table.counts[yday] > (table.counts[yday - 1] if yday else 0)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself never counts."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        if n == 0:
            return start
        year = start.year
        target = self._table(year).upto(start) + n
        while target > self._table(year).total:
            target -= self._table(year).total
            year += 1
        return self._table(year).nth(target)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; 0 when ``end`` is not after ``start``."""
        if end <= start:
            return 0
        if start.year == end.year:
            return self._table(end.year).upto(end) - self._table(start.year).upto(start)
        first = self._table(start.year)
        between = sum(self._table(year).total for year in range(start.year + 1, end.year))
        return first.total - first.upto(start) + between + self._table(end.year).upto(end)

    def ordinal(self, day: date) -> int:
        """The working-day number of ``day``: for ``a <= b``, ``ordinal(b) - ordinal(a)`` is
        ``working_days_between(a, b)``. Counted from the first year ``chinese-calendar``
        knows; the numbers are cached with the year tables, for the life of this calendar."""
        return self._year_offset(day.year) + self._table(day.year).upto(day)

    def _year_offset(self, year: int) -> int:
        """Working days from 1 January of the base year to 31 December of ``year - 1``."""
        offset = self._year_offsets.get(year)
        if offset is None:
            base = min(LIBRARY_YEARS)
            if year >= base:
                offset = sum(self._table(y).total for y in range(base, year))
            else:
                offset = -sum(self._table(y).total for y in range(year, base))
            self._year_offsets[year] = offset
        return offset

    def covered_years(self) -> set[int]:
        """Years whose announced schedule is known: those of ``chinese-calendar`` and the files."""
        return set(LIBRARY_YEARS) | set(self._schedules)

    def source_of(self, year: int) -> str:
        """Where ``year``'s working days come from: "schedule", "library" or "rule"."""
        if year in self._schedules:
            return "schedule"
        return "library" if year in LIBRARY_YEARS else "rule"

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            is_working = self._day_rule(year)
            days = _days_from_to(date(year, 1, 1), date(year, 12, 31))
            counts = tuple(accumulate(int(is_working(day)) for day in days))
            table = self._tables[year] = _YearTable(year, counts)
        return table

    def _day_rule(self, year: int) -> Callable[[date], bool]:
        schedule = self._schedules.get(year)
        if schedule is not None:
            return schedule.is_working_day
        if year in LIBRARY_YEARS:
            return _library_is_workday
        self._warn_schedule_missing(year)
        return national_rule_schedule(year).is_working_day

    def _warn_schedule_missing(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        log.warning(
            "未载入%d年的节假日安排，暂按法定节假日规则（不含调休）计算工作日；"
            "国务院公布后请用 flask calendar load 载入 %d 年的安排",
            year,
            year,
        )


def load_schedule(path: Path) -> Schedule:
    """The schedule in ``path``; ScheduleError listing every problem when it is not valid."""
    schedule, problems = _read_schedule(path)
    if schedule is None:
        raise ScheduleError(f"{path.name}：{'；'.join(problems)}")
    return schedule


def validate_schedule_file(path: Path) -> list[str]:
    """Every problem of the schedule file ``path``, in Chinese; empty when it is fine."""
    return _read_schedule(path)[1]


def _schedule_files(directory: Path) -> list[Path]:
    return sorted(
        path for path in directory.glob("*.yaml") if _SCHEDULE_FILE_NAME.fullmatch(path.stem)
    )


def _library_is_workday(day: date) -> bool:
    """chinese_calendar's answer for the years it covers (the library is untyped)."""
    return bool(chinese_calendar.is_workday(day))


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


# --- Reading a schedule file --------------------------------------------------------------


class _ScheduleLoader(yaml.SafeLoader):
    """A safe loader that keeps dates as text, so a bad date is reported, not a crash."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_ScheduleLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _read_schedule(path: Path) -> tuple[Schedule | None, list[str]]:
    try:
        data = _load_yaml(path.read_text(encoding="utf-8"))
    except OSError:
        return None, [f"无法读取文件 {path}"]
    except UnicodeDecodeError:
        return None, ["文件应为 UTF-8 编码"]
    except yaml.YAMLError as exc:
        return None, [f"YAML 格式错误{_yaml_error_place(exc)}"]
    if not isinstance(data, dict):
        return None, [f"文件内容应为 {'、'.join(SCHEDULE_KEYS)} 等字段"]
    return _parse_schedule(data, path.stem)


def _load_yaml(text: str) -> Any:
    loader = _ScheduleLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _yaml_error_place(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"（第{mark.line + 1}行）" if mark is not None else ""


def _parse_schedule(data: dict[str, Any], file_stem: str) -> tuple[Schedule | None, list[str]]:
    problems = [f"未知字段“{key}”" for key in data if key not in SCHEDULE_KEYS]
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
        return None, [*problems, "缺少年份（year），或年份不是四位数字"]
    if _SCHEDULE_FILE_NAME.fullmatch(file_stem) and int(file_stem) != year:
        problems.append(f"文件名 {file_stem}.yaml 与年份 {year} 不一致")
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append("缺少来源（source），请填写国务院办公厅通知的名称和文号")
    holidays = _holiday_dates(data.get("holidays"), year, problems)
    workdays = _workday_dates(data.get("workdays"), year, problems)
    problems.extend(
        f"{day.isoformat()} 同时列为节假日和调休上班日" for day in sorted(holidays & workdays)
    )
    if problems:
        return None, problems
    return Schedule(year, str(source).strip(), frozenset(holidays), frozenset(workdays)), []


def _holiday_dates(entries: Any, year: int, problems: list[str]) -> set[date]:
    if entries is None:
        problems.append("缺少节假日列表（holidays）")
        return set()
    if not isinstance(entries, list):
        problems.append("节假日（holidays）应为列表")
        return set()
    days: set[date] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"holidays 第{number}项"
        days.update(_holiday_entry_dates(entry, year, where, problems))
    return days


def _holiday_entry_dates(entry: Any, year: int, where: str, problems: list[str]) -> list[date]:
    if not isinstance(entry, dict):
        day = _date_in_year(entry, year, where, problems)
        return [day] if day else []
    unknown = [key for key in entry if key not in HOLIDAY_RANGE_KEYS]
    if unknown or "from" not in entry or "to" not in entry:
        problems.append(f"{where}：应为一个日期，或含 from、to（可选 name）的日期区间")
        return []
    first = _date_in_year(entry["from"], year, where, problems)
    last = _date_in_year(entry["to"], year, where, problems)
    if first is None or last is None:
        return []
    if first > last:
        problems.append(f"{where}：起始日期 {first} 晚于结束日期 {last}")
        return []
    return list(_days_from_to(first, last))


def _workday_dates(entries: Any, year: int, problems: list[str]) -> set[date]:
    if entries is None:
        return set()
    if not isinstance(entries, list):
        problems.append("调休上班日（workdays）应为日期列表")
        return set()
    days: set[date] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"workdays 第{number}项"
        day = _date_in_year(entry, year, where, problems)
        if day is None:
            continue
        if not _is_weekend(day):
            problems.append(
                f"{where}：{day} 是星期{WEEKDAY_NAMES[day.weekday()]}，调休上班日应为周六或周日"
            )
            continue
        days.add(day)
    return days


def _date_in_year(value: Any, year: int, where: str, problems: list[str]) -> date | None:
    text = str(value).strip()
    day = _parse_iso_date(text)
    if day is None:
        problems.append(f"{where}：“{text}”不是有效日期，应写成 YYYY-MM-DD")
        return None
    if day.year != year:
        problems.append(f"{where}：{day} 不在 {year} 年内")
        return None
    return day


def _parse_iso_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _days_from_to(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=offset) for offset in range((last - first).days + 1))
