"""The README stays true to the code: every setting the app reads is in its table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_SETTING = re.compile(r"""(?:env\.get|secret|_setting)\(\s*f?["']([A-Z][A-Z0-9_]+)""")


def test_every_environment_setting_is_documented():
    sources = [ROOT / "app" / "config.py", ROOT / "app" / "jobs" / "outbox_delivery.py"]
    names = {name for path in sources for name in READ_SETTING.findall(path.read_text())}
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(names) > 20
    assert sorted(n for n in names if f"`{n}" not in table) == []


def test_readme_commands_run_from_the_virtualenv():
    """A shell line calling flask works without activating the virtualenv."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:sh|cron)\n(.*?)```", readme, flags=re.S)
    lines = [line for block in blocks for line in block.splitlines() if "flask " in line]
    assert lines and all(".venv/bin/flask --app app " in line for line in lines)
