"""A TypeScript client generated from the served document needs no casts and no guards.

openapi-typescript (pinned in tests/typescript/package.json, TypeScript 5) generates the
types from the app's own ``/api/openapi.json``; ``tsc --strict`` then type-checks the
mini-program's applicant path (login, enterprise, draft, upload, submit, read, timeline,
inbox, a download as bytes) and a clerk's ``accept`` in tests/typescript/applicant_path.ts.
The npm packages are installed by ``npm ci --prefix tests/typescript`` (``.ci/run`` does);
without node or them the test skips and says so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "typescript"
MODULES = TOOLS / "node_modules"
TSC = MODULES / ".bin" / "tsc"
INSTALL = "npm ci --prefix tests/typescript"

# Mistakes the generated types must catch, each appended to the scripted path in turn.
MISTAKES = {
    "a deadline read without its null case": (
        "export const d = (a: Application): number => a.deadline.working_days_left;"
    ),
    "a state the workflow does not have": (
        'export const s = (a: Application): boolean => a.state === "approved_by_mistake";'
    ),
    "a field the document does not list": (
        "export const f = (a: Application): unknown => a.not_in_the_document;"
    ),
    "an action no workflow takes": (
        'export const x = (a: Application): boolean => a.actions.includes("teleport");'
    ),
}


@pytest.fixture(scope="module")
def toolchain() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (Node 20 and npm are needed)")
    if not TSC.exists() or not (MODULES / "openapi-typescript").is_dir():
        pytest.skip(f"the pinned npm packages are not installed: run `{INSTALL}`")
    return node


@pytest.fixture(scope="module")
def project(app, toolchain, tmp_path_factory) -> Path:
    """A folder holding the generated ``api.d.ts``, the scripted path and a strict tsconfig."""
    folder = tmp_path_factory.mktemp("typescript-client")
    document = folder / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/api/openapi.json").get_json()))
    generated = subprocess.run(
        [toolchain, str(TOOLS / "generate.mjs"), str(document), str(folder / "api.d.ts")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stderr
    shutil.copy(TOOLS / "applicant_path.ts", folder / "applicant_path.ts")
    config = {
        "compilerOptions": {
            "strict": True,
            "noEmit": True,
            "target": "es2022",
            "lib": ["es2022", "dom"],
            "module": "esnext",
            "moduleResolution": "bundler",
            "types": [],
            "paths": {"openapi-fetch": [str(MODULES / "openapi-fetch")]},
        },
        "files": ["applicant_path.ts", "api.d.ts"],
    }
    (folder / "tsconfig.json").write_text(json.dumps(config))
    return folder


def _tsc(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TSC), "-p", str(project / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_applicant_path_type_checks_strictly_without_casts(project):
    script = (project / "applicant_path.ts").read_text()
    assert " as " not in script.replace(" as const", ""), "no casts in the scripted path"
    assert "!." not in script and "!)" not in script and "!;" not in script, "no ! guards"
    assert "any" not in script.split(), "no any"
    checked = _tsc(project)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_generated_types_catch_each_mistake(project, tmp_path):
    wrong = tmp_path / "project"
    shutil.copytree(project, wrong)
    script = wrong / "applicant_path.ts"
    correct = script.read_text().splitlines()
    lines = {name: len(correct) + 1 + i for i, name in enumerate(MISTAKES)}
    script.write_text("\n".join([*correct, *MISTAKES.values()]) + "\n")
    checked = _tsc(wrong)
    for name, line in lines.items():
        assert f"applicant_path.ts({line}," in checked.stdout, f"tsc accepted {name}"
