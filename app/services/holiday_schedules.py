"""Loading a newly announced holiday schedule (节假日安排) into the statutory clock, checked
exactly as ``flask calendar check`` checks a file and installed as ``flask calendar load``
installs it: running deadlines are recomputed and each move recorded in the timeline."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.services import clock
from permits.working_days import validate_schedule_file

MAX_SCHEDULE_BYTES = 64 * 1024


def schedule_dir() -> Path:
    """Where the clock reads schedule files from."""
    return clock.schedule_dir()


def installed_years() -> list[int]:
    return sorted(int(p.stem) for p in schedule_dir().glob("*.yaml") if p.stem.isdigit())


def install_schedule(year: int, content: bytes) -> list[str]:
    """Validate ``content`` as ``{year}.yaml`` and, when it has no problem, write it
    atomically and reload the clock. Returns the problems (empty on success)."""
    if len(content) > MAX_SCHEDULE_BYTES:
        return ["文件过大"]
    if not 2000 <= year <= 2100:
        return ["年份不正确"]
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / f"{year}.yaml"
        candidate.write_bytes(content)
        problems = validate_schedule_file(candidate)
        if problems:
            return problems
        clock.install_schedule(candidate, schedule_dir())
    return []
