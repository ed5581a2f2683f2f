"""The pre-commit hooks run the linters at the versions requirements.lock pins.

A hook at another version than `make lint` would pass a commit that CI then refuses (or
refuse one CI accepts); this fails until both name the same version.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.unit.test_lock import _pinned

ROOT = Path(__file__).resolve().parents[2]

# Hook repository → the package in requirements.lock whose version it must carry.
HOOK_PACKAGES = {
    "https://github.com/astral-sh/ruff-pre-commit": "ruff",
    "https://github.com/codespell-project/codespell": "codespell",
}


def _hook_repos() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {repo["repo"]: repo for repo in config["repos"]}


def test_each_hook_runs_the_locked_version():
    repos = _hook_repos()
    pins = _pinned()
    for url, package in HOOK_PACKAGES.items():
        assert repos[url]["rev"] == f"v{pins[package]}", f"{url}: run {package}=={pins[package]}"


def test_the_hooks_are_the_ones_make_lint_runs():
    hooks = {hook["id"] for repo in _hook_repos().values() for hook in repo["hooks"]}
    assert hooks == {"ruff-check", "ruff-format", "codespell"}
