"""What printed documents look like: YAML layouts, the seal, and the renderer (``render/``).

Each ``<name>.yaml`` next to this file describes one layout: page size, where each block sits
(lengths in millimetres, measured from the page's top-left corner), font sizes in points and
which optional blocks to draw. ``pdf_templates.render`` reads them through :func:`load_layout`.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_LAYOUT_DIR = Path(__file__).resolve().parent
_NAME_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class UnknownLayoutError(LookupError):
    """No layout file exists under the requested name."""


def layout_names() -> list[str]:
    """Names of every layout shipped in this package, sorted."""
    return sorted(path.stem for path in _LAYOUT_DIR.glob("*.yaml"))


def load_layout(name: str) -> dict[str, Any]:
    """The layout called ``name`` as a fresh dict the caller may modify.

    Raises :class:`UnknownLayoutError` for a name with no layout file (names are checked
    against a strict pattern first, so a name can never reach outside this folder).
    """
    return copy.deepcopy(_parsed_layout(name))


@cache
def _parsed_layout(name: str) -> dict[str, Any]:
    path = _LAYOUT_DIR / f"{name}.yaml"
    if not _NAME_PATTERN.fullmatch(name) or not path.is_file():
        raise UnknownLayoutError(f"没有名为“{name}”的证照版式。")
    layout = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(layout, dict) or "page" not in layout:
        raise UnknownLayoutError(f"证照版式“{name}”的文件格式不正确：缺少页面（page）设置。")
    return layout
