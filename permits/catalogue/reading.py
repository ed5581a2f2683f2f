"""Reading a catalogue file: strict YAML (a repeated key is an error, not the last one wins)."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

from permits.catalogue.model import CatalogueError


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: list[Any] = []  # a list: YAML allows unhashable keys, which the parent refuses
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.append(key)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise CatalogueError(path.name, ["文件须为 UTF-8 编码"]) from None
    except _DuplicateKey as duplicate:
        problem = f"第{duplicate.line}行：键 {duplicate.key} 重复"
        raise CatalogueError(path.name, [problem]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"（第{mark.line + 1}行第{mark.column + 1}列附近）" if mark else ""
        raise CatalogueError(path.name, [f"不是有效的 YAML{where}"]) from None
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date such as 2026-13-01
        raise CatalogueError(path.name, ["不是有效的 YAML"]) from None
    if not isinstance(data, dict):
        raise CatalogueError(path.name, ["文件内容须为键值映射"])
    return data
