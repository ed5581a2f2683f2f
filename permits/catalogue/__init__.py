"""The permit catalogue (事项清单, "清单之外无审批"): what the office may license, as data.

Each permit type is one YAML file in this folder: its legal basis, issuing level, statutory
time limits, validity and renewal window, materials, form schemas (JSON Schema 2020-12,
drawn by the phone and enforced by the server), licence layout, numbering template and
example forms. This package reads those files, checks them strictly — a typo in a
catalogue file must stop the app rather than silently drop a material or a required field —
and turns them into frozen ``PermitType`` objects.

The seams: ``reading`` (strict YAML), ``file_schema`` (the shape), ``checks`` (the meaning),
``building`` and ``model`` (the frozen objects); this module loads the folder.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from permits.catalogue.building import build
from permits.catalogue.checks import meaning_problems
from permits.catalogue.file_schema import shape_problems
from permits.catalogue.model import (
    DEFAULT_EXTENSION_DAYS,
    EXTENSION_CONDITIONS,
    KINDS,
    LIMITS,
    PAUSE_STAGES,
    CatalogueError,
    ClockPause,
    Condition,
    DirectExtension,
    InspectionExemption,
    Material,
    PermitType,
)
from permits.catalogue.reading import read_yaml

__all__ = [
    "DEFAULT_DIRECTORY",
    "DEFAULT_EXTENSION_DAYS",
    "EXTENSION_CONDITIONS",
    "KINDS",
    "LIMITS",
    "PAUSE_STAGES",
    "CatalogueError",
    "ClockPause",
    "Condition",
    "DirectExtension",
    "InspectionExemption",
    "Material",
    "PermitType",
    "get_catalogue",
    "get_permit_type",
    "load_catalogue",
    "load_permit_type",
]

DEFAULT_DIRECTORY = Path(__file__).parent


@cache
def get_catalogue() -> dict[str, PermitType]:
    """The catalogue shipped with the app, read once per process."""
    return load_catalogue()


def get_permit_type(code: Any) -> PermitType | None:
    if not isinstance(code, str):
        return None
    return get_catalogue().get(code)


def load_catalogue(directory: Path | None = None) -> dict[str, PermitType]:
    """Every permit type in ``directory`` (one ``*.yaml`` each), keyed by code.

    Raises ``CatalogueError`` for the first file with problems, listing all of that file's.
    """
    directory = directory or DEFAULT_DIRECTORY
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(str(directory), ["目录中没有任何许可事项文件（*.yaml）"])
    catalogue: dict[str, PermitType] = {}
    type_codes: dict[str, str] = {}
    for path in files:
        permit_type = load_permit_type(path)
        if permit_type.type_code in type_codes:
            clash = type_codes[permit_type.type_code]
            raise CatalogueError(
                path.name, [f"type_code：电子证照类型代码 {permit_type.type_code} 与 {clash} 重复"]
            )
        type_codes[permit_type.type_code] = path.name
        catalogue[permit_type.code] = permit_type
    return catalogue


def load_permit_type(path: Path) -> PermitType:
    """One catalogue file, checked for shape first and then for meaning."""
    data = read_yaml(path)
    problems = shape_problems(data)
    if not problems:
        problems = meaning_problems(path.stem, data)
    if problems:
        raise CatalogueError(path.name, problems)
    return build(data)
