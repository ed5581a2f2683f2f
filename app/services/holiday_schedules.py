"""Loading a newly announced holiday schedule (节假日安排) into the statutory clock, checked
exactly as ``flask calendar check`` checks a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.services import clock
from permits.working_days import DEFAULT_SCHEDULE_DIR, validate_schedule_file

MAX_SCHEDULE_BYTES = 64 * 1024


def schedule_dir() -> Path:
    """Where the clock reads schedule files from."""
    return DEFAULT_SCHEDULE_DIR


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
    target = schedule_dir() / f"{year}.yaml"
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{year}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    clock.calendar.cache_clear()
    return []
