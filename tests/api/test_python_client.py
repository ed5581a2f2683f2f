"""openapi-python-client generates a client from the served document without a warning.

Run with the project's settings (docs/openapi-python-client.yaml: file downloads as bytes);
every operation, model and file download is generated, with ASCII names. Skips with a
reason where the generator is not installed (it is in the ``test`` extra).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
SETTINGS = ROOT / "docs" / "openapi-python-client.yaml"


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")
    folder = tmp_path_factory.mktemp("python-client")
    document = folder / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/api/openapi.json").get_json()))
    settings = folder / "settings.yaml"
    settings.write_text(SETTINGS.read_text() + "post_hooks: []\n")  # no formatter run here
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--output-path"]
        + [str(folder / "client"), "--config", str(settings)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return result, folder / "client" / "zerovisit_client"


def test_the_client_generates_without_warnings(generated):
    result, _ = generated
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output


def test_models_have_ascii_names_and_downloads_return_bytes(generated):
    _, package = generated
    models = [path.stem for path in (package / "models").glob("*.py")]
    assert "submit_action" in models and "application" in models
    assert all(name.isascii() for name in models)
    download = (package / "api" / "licences" / "get_licence_pdf.py").read_text()
    assert "-> File | Problem | None" in download
    application = (package / "models" / "application.py").read_text()
    assert "deadline: Deadline | None" in application
    assert "state: ApplicationState" in application
