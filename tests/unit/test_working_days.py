"""The statutory clock: holidays, make-up working days, the fallback and schedule files."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permits.working_days import (
    ScheduleError,
    WorkingCalendar,
    load_schedule,
    statutory_days_missing,
    validate_schedule_file,
)

# A made-up schedule for tests only: the real 2027 schedule is not announced yet.
EXAMPLE_2027 = """\
year: 2027
source: "测试用安排（虚构，非国务院通知）"
holidays:
  - 2027-01-01
  - {from: 2027-02-06, to: 2027-02-12, name: 春节}
  - 2027-10-01
workdays:
  - 2027-02-20
"""

LOGGER = "permits.working_days"


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """The calendar as the application builds it, from the package's schedule folder."""
    return WorkingCalendar()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def days(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# --- Holidays and make-up days from chinese-calendar --------------------------------------


def test_national_day_2025_is_eight_days_off(calendar: WorkingCalendar) -> None:
    assert not any(calendar.is_working_day(day) for day in days("2025-10-01", "2025-10-08"))
    assert calendar.is_working_day(date(2025, 9, 30))
    assert calendar.is_working_day(date(2025, 10, 9))


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11)])  # a Sunday, a Saturday
def test_the_national_day_make_up_weekend_days_are_worked(
    calendar: WorkingCalendar, day: date
) -> None:
    assert day.weekday() >= 5
    assert calendar.is_working_day(day)


def test_spring_festival_2026_is_off_and_its_make_up_saturdays_are_worked(
    calendar: WorkingCalendar,
) -> None:
    assert not any(calendar.is_working_day(day) for day in days("2026-02-15", "2026-02-23"))
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturday
    assert calendar.is_working_day(date(2026, 2, 28))  # Saturday
    assert not calendar.is_working_day(date(2026, 2, 21))  # Saturday inside the holiday


def test_a_deadline_skips_the_national_day_holiday(calendar: WorkingCalendar) -> None:
    # Received on Tuesday 30 September 2025: five working days to ask for supplements
    # (Art. 32) run 9, 10, 11 (make-up Saturday), 13 and 14 October.
    assert calendar.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_a_make_up_saturday_counts_toward_a_limit(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


# --- Counting rules -----------------------------------------------------------------------


def test_the_first_day_of_a_period_is_not_counted(calendar: WorkingCalendar) -> None:
    monday = date(2025, 11, 3)
    assert calendar.add_working_days(monday, 1) == date(2025, 11, 4)
    assert calendar.add_working_days(date(2025, 11, 7), 1) == date(2025, 11, 10)  # Fri → Mon


def test_zero_working_days_is_the_start_day_even_on_a_holiday(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(date(2025, 10, 1), 0) == date(2025, 10, 1)


def test_a_negative_number_of_working_days_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="不能为负数"):
        calendar.add_working_days(date(2025, 11, 3), -1)


def test_working_days_between_counts_the_end_but_not_the_start(
    calendar: WorkingCalendar,
) -> None:
    monday, friday = date(2025, 11, 3), date(2025, 11, 7)
    assert calendar.working_days_between(monday, friday) == 4
    assert calendar.working_days_between(monday, monday) == 0
    assert calendar.working_days_between(friday, monday) == 0
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0


@settings(deadline=None)  # the first example builds the year tables
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_adding_and_counting_working_days_agree(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    due = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, due) == n
    if n > 0:
        assert calendar.is_working_day(due)
        assert calendar.working_days_between(start, due - timedelta(days=1)) == n - 1


# --- Years chinese-calendar does not know -------------------------------------------------


def test_2027_counts_the_statutory_holidays_by_rule_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = WorkingCalendar(tmp_path)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not calendar.is_working_day(date(2027, 1, 1))  # 元旦, a Friday
        assert calendar.is_working_day(date(2027, 1, 4))
        assert not calendar.is_working_day(date(2027, 1, 2))
        assert calendar.add_working_days(date(2026, 12, 31), 3) == date(2027, 1, 6)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2027" in warnings[0].getMessage()


def test_a_30_working_day_limit_from_24_november_2026_skips_new_year_2027(
    calendar: WorkingCalendar,
) -> None:
    # 4 days left in November, 23 in December, then 4, 5 and 6 January: 1 January is 元旦.
    assert calendar.add_working_days(date(2026, 11, 24), 30) == date(2027, 1, 6)


def test_the_spring_festival_2027_is_not_worked_by_rule(calendar: WorkingCalendar) -> None:
    # 除夕 5 February to 初三 8 February; the weekend days 6 and 7 are made up on 9 and 10.
    assert not any(calendar.is_working_day(day) for day in days("2027-02-05", "2027-02-10"))
    assert calendar.is_working_day(date(2027, 2, 4))
    assert calendar.is_working_day(date(2027, 2, 11))
    assert calendar.add_working_days(date(2027, 2, 4), 1) == date(2027, 2, 11)
    assert calendar.working_days_between(date(2027, 2, 1), date(2027, 2, 28)) == 15


@pytest.mark.parametrize(
    "day",
    ["2027-04-05", "2027-05-03", "2027-06-09", "2027-09-15", "2027-10-01", "2028-01-03"],
)
def test_each_statutory_holiday_of_later_years_is_a_rest_day(
    calendar: WorkingCalendar, day: str
) -> None:
    assert not calendar.is_working_day(date.fromisoformat(day))


def test_each_unknown_year_is_warned_about_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calendar = WorkingCalendar(tmp_path)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        calendar.working_days_between(date(2026, 12, 1), date(2028, 2, 1))
        calendar.is_working_day(date(2003, 12, 29))
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 3
    for year in ("2003", "2027", "2028"):
        assert sum(year in message for message in messages) == 1


def test_known_years_are_those_of_the_library(calendar: WorkingCalendar) -> None:
    years = calendar.covered_years()
    assert set(range(2004, 2027)) <= years
    assert 2027 not in years
    assert calendar.source_of(2026) == "library"
    assert calendar.source_of(2027) == "rule"


@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    end=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
)
def test_counting_by_table_matches_counting_day_by_day(
    calendar: WorkingCalendar, start: date, end: date
) -> None:
    naive = sum(
        calendar.is_working_day(start + timedelta(days=k)) for k in range(1, (end - start).days + 1)
    )
    assert calendar.working_days_between(start, end) == naive


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31)),
    end=st.dates(min_value=date(2004, 1, 1), max_value=date(2029, 12, 31)),
)
def test_working_day_numbers_differ_by_the_working_days_between(
    calendar: WorkingCalendar, start: date, end: date
) -> None:
    first, last = min(start, end), max(start, end)
    assert calendar.ordinal(last) - calendar.ordinal(first) == calendar.working_days_between(
        first, last
    )


def test_working_day_numbers_follow_a_loaded_schedule(tmp_path: Path) -> None:
    write(tmp_path, "2026.yaml", 'year: 2026\nsource: "测试"\nholidays:\n  - 2026-01-01\n')
    overridden, library = WorkingCalendar(tmp_path), WorkingCalendar()
    national_day = date(2026, 9, 30), date(2026, 10, 9)
    # 1–7 October are working days (Thursday to Wednesday, less the weekend) in the file.
    assert overridden.ordinal(national_day[1]) - overridden.ordinal(national_day[0]) == 7
    assert library.ordinal(national_day[1]) - library.ordinal(national_day[0]) == 2


def test_a_schedule_that_works_a_statutory_holiday_is_named(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, "2027.yaml", EXAMPLE_2027))
    missing = statutory_days_missing(schedule)
    assert any(item.startswith("2027-04-05") for item in missing)  # 清明 not listed
    assert not any(item.startswith("2027-01-01") for item in missing)


# --- Schedule files -----------------------------------------------------------------------


def test_a_schedule_file_makes_a_new_year_known(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "2027.yaml", EXAMPLE_2027)
    calendar = WorkingCalendar(tmp_path)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not calendar.is_working_day(date(2027, 1, 1))  # listed holiday on a Friday
        assert not any(calendar.is_working_day(day) for day in days("2027-02-06", "2027-02-12"))
        assert calendar.is_working_day(date(2027, 2, 20))  # listed make-up Saturday
        assert not calendar.is_working_day(date(2027, 2, 13))  # an ordinary Saturday
        assert calendar.is_working_day(date(2027, 2, 15))
        assert calendar.add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 15)
    assert not caplog.records
    assert 2027 in calendar.covered_years()


def test_a_schedule_file_replaces_what_the_library_knows_of_its_year(tmp_path: Path) -> None:
    write(tmp_path, "2026.yaml", 'year: 2026\nsource: "测试"\nholidays:\n  - 2026-01-01\n')
    calendar = WorkingCalendar(tmp_path)
    assert calendar.is_working_day(date(2026, 10, 1))  # a Thursday, no longer a holiday here
    assert not calendar.is_working_day(date(2026, 2, 14))  # no longer a make-up Saturday
    assert calendar.is_working_day(date(2025, 9, 28))  # other years still from the library


def test_a_loaded_schedule_keeps_its_source(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, "2027.yaml", EXAMPLE_2027))
    assert schedule.year == 2027
    assert schedule.source.startswith("测试用安排")
    assert len(schedule.holidays) == 9 and schedule.workdays == {date(2027, 2, 20)}


def test_files_not_named_after_a_year_are_not_loaded(tmp_path: Path) -> None:
    write(tmp_path, "2027-draft.yaml", "not: [a schedule")
    assert 2027 not in WorkingCalendar(tmp_path).covered_years()


def test_an_invalid_schedule_file_stops_the_calendar(tmp_path: Path) -> None:
    write(tmp_path, "2027.yaml", EXAMPLE_2027.replace("2027-02-20", "2027-02-22"))
    with pytest.raises(ScheduleError, match="2027.yaml：workdays 第1项"):
        WorkingCalendar(tmp_path)


def test_a_missing_schedule_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="目录不存在"):
        WorkingCalendar(tmp_path / "missing")


def test_the_example_schedule_is_valid(tmp_path: Path) -> None:
    assert validate_schedule_file(write(tmp_path, "2027.yaml", EXAMPLE_2027)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  - 2027-10-01", "  - 2027-02-30", "“2027-02-30”不是有效日期"),
        ("  - 2027-10-01", "  - 2027/10/01", "“2027/10/01”不是有效日期"),
        ("  - 2027-10-01", "  - 2026-12-31", "holidays 第3项：2026-12-31 不在 2027 年内"),
        ("to: 2027-02-12", "to: 2028-02-12", "holidays 第2项：2028-02-12 不在 2027 年内"),
        ("to: 2027-02-12", "to: 2027-02-01", "起始日期 2027-02-06 晚于结束日期 2027-02-01"),
        ("to: 2027-02-12", "until: 2027-02-12", "holidays 第2项：应为一个日期，或含 from、to"),
        ("  - 2027-02-20", "  - 2027-02-22", "2027-02-22 是星期一，调休上班日应为周六或周日"),
        ("  - 2027-02-20", "  - 2027-02-07", "2027-02-07 同时列为节假日和调休上班日"),
        ('source: "测试用安排（虚构，非国务院通知）"\n', "", "缺少来源（source）"),
        ('source: "测试用安排（虚构，非国务院通知）"', 'source: " "', "缺少来源（source）"),
        ("workdays:", "workday:", "未知字段“workday”"),
        ("workdays:\n  - 2027-02-20\n", "workdays: 2027-02-20\n", "workdays）应为日期列表"),
        ("year: 2027", "year: 2028", "文件名 2027.yaml 与年份 2028 不一致"),
        ("year: 2027", "year: 二〇二七", "缺少年份（year）"),
        ("year: 2027\n", "", "缺少年份（year）"),
        ("holidays:", "holiday:", "缺少节假日列表（holidays）"),
        ("  - 2027-01-01\n  - {", "  {", "YAML 格式错误（第"),
    ],
)
def test_a_schedule_problem_is_reported(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in EXAMPLE_2027
    problems = validate_schedule_file(write(tmp_path, "2027.yaml", EXAMPLE_2027.replace(old, new)))
    assert any(expected in problem for problem in problems), problems


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = "year: 2027\nholidays:\n  - 2027-13-01\nworkdays:\n  - 2027-01-04\n"
    problems = validate_schedule_file(write(tmp_path, "2027.yaml", text))
    assert len(problems) == 3


@pytest.mark.parametrize("text", ["", "- 2027-01-01\n", "just text\n"])
def test_a_file_that_is_not_a_schedule_is_reported(tmp_path: Path, text: str) -> None:
    problems = validate_schedule_file(write(tmp_path, "2027.yaml", text))
    assert problems and "year、source、holidays、workdays" in problems[0]


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_bytes("year: 2027\nsource: 测试\n".encode("gbk"))
    assert validate_schedule_file(path) == ["文件应为 UTF-8 编码"]
    assert validate_schedule_file(tmp_path / "none.yaml")[0].startswith("无法读取文件")
