"""The statutory clock: Chinese working days (《行政许可法》Art. 82).

Time limits of the licensing procedure count working days: weekends and statutory
holidays are not counted, and the make-up working days (调休) the State Council announces
each year are. Which days those are comes from, in this order:

1. schedule files ``{year}.yaml`` (see ``schedules/README.md``), for a year announced
   after the installed ``chinese-calendar`` was released, or to correct it;
2. the ``chinese-calendar`` package (it knows 2004–2026);
3. otherwise Monday to Friday, with one warning per year in the log, so a deadline is
   still computed while the year's schedule is not yet loaded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
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


class WorkingCalendar:
    """Working days from the schedule files in ``schedule_dir``, then ``chinese-calendar``."""

    def __init__(self, schedule_dir: Path | None = None) -> None:
        directory = schedule_dir or DEFAULT_SCHEDULE_DIR
        if not directory.is_dir():
            raise ScheduleError(f"节假日安排目录不存在：{directory}")
        self._schedules = {
            schedule.year: schedule for schedule in map(load_schedule, _schedule_files(directory))
        }
        self._warned_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        schedule = self._schedules.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self._warn_schedule_missing(day.year)
            return not _is_weekend(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself never counts."""
        if n < 0:
            raise ValueError("工作日数不能为负数")
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; 0 when ``end`` is not after ``start``."""
        days = _days_from_to(start + timedelta(days=1), end)
        return sum(1 for day in days if self.is_working_day(day))

    def covered_years(self) -> set[int]:
        """Years whose holidays are known: those of ``chinese-calendar`` and the files."""
        return set(LIBRARY_YEARS) | set(self._schedules)

    def _warn_schedule_missing(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        log.warning(
            "未载入%d年的节假日安排，暂按周一至周五计算工作日；"
            "国务院公布后请添加 schedules/%d.yaml",
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


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


# --- Reading a schedule file --------------------------------------------------------------


class _ScheduleLoader(yaml.SafeLoader):
    """A safe loader that keeps dates as text, so a bad date is reported, not a crash."""


_ScheduleLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


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


def _parse_schedule(data: dict, file_stem: str) -> tuple[Schedule | None, list[str]]:
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
