"""The wheel is the app: built with ``python -m build``, installed in a fresh venv, it serves
the browser's verification page (its template must be in the wheel).

The fresh venv gets the wheel alone (``--no-deps``); the dependencies come from this test's
own environment through a ``.pth`` line, so nothing is downloaded but the build backend
(``build`` isolates the build, as ``pip install`` does). The schema is made by the source
tree's migrations (they are not part of the wheel). Each step runs under a timeout, so a
hung build or server fails the test instead of stalling the suite.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BROWSER_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
PACKAGED = ("pyproject.toml", "app", "permits", "workflows", "pdf_templates")

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(
        importlib.util.find_spec("build") is None,
        reason="the 'build' package is not installed (pip install -e '.[test]')",
    ),
]


def _run(
    *command: str | Path, timeout: float, env: dict[str, str] | None = None, cwd: Path | None = None
) -> str:
    """Run ``command`` (outside the source tree when ``cwd`` says, so ``app`` is not found
    in the working directory)."""
    result = subprocess.run(  # fixed commands of this test
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd,
    )
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the installed app exited before it answered"
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"the installed app did not answer within {timeout:.0f} s")


def _check_contents(wheel: Path) -> None:
    """Every page template and static file of the tree is in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = [
        path.relative_to(ROOT).as_posix()
        for folder in ("app/templates", "app/console/templates", "app/console/static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    ]
    assert "app/templates/verify/licence.html" in shipped
    assert set(shipped) <= names, sorted(set(shipped) - names)
    assert {"permits/catalogue/hazchem-trading.yaml", "pdf_templates/certificate.yaml"} <= names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of a clean copy of the sources: an ``*.egg-info`` left in the work tree by
    ``pip install -e`` lists every file, which would hide a gap in the package data."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in PACKAGED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "build", "--wheel", "--outdir", out, source, timeout=600)
    (built,) = out.glob("zerovisit-*.whl")
    return built


def test_the_installed_wheel_serves_the_html_verification_page(wheel: Path, tmp_path: Path):
    """One test, so the wheel is built once even when xdist spreads the suite."""
    _check_contents(wheel)
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, timeout=120)
    python = venv / "bin" / "python"
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--quiet",
        "--no-deps",
        wheel,
        timeout=300,
    )
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", timeout=60
        ).strip()
    )
    (site / "zerovisit-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    instance = tmp_path / "instance"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "APP_ENV": "development",
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'zerovisit.sqlite3'}",
    }
    where = _run(python, "-c", "import app; print(app.__file__)", timeout=60, env=env, cwd=tmp_path)
    assert Path(where.strip()).is_relative_to(site), "the app was not imported from the wheel"
    flask = [python, "-m", "flask", "--app", "app"]
    migrations = ROOT / "migrations"
    _run(*flask, "db", "upgrade", "--directory", migrations, timeout=180, env=env, cwd=tmp_path)

    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # the installed app, on a free local port
            [str(part) for part in (*flask, "run", "--port", str(port), "--no-reload")],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/api/v1/health", server, timeout=60)
            page = requests.get(
                f"{base}/api/v1/verify/NO-SUCH-NUMBER?code=ABCDEFGH",
                headers={"Accept": BROWSER_ACCEPT},
                timeout=10,
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert page.status_code == 200, log.read_text(errors="replace")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "未查询到该证照" in page.text
