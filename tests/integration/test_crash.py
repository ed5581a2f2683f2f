"""A worker killed with SIGKILL mid-upload leaves nothing behind once the app restarts.

Runs a real gunicorn on the test database (PostgreSQL only: the in-process SQLite file
would be locked by the server), streams a large upload slowly, kills the whole server
group while the body is still arriving, restarts it, and checks: no temp file, no blob,
no document row, and ``flask audit verify`` passes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import Blob, Document

DATABASE = os.environ.get("TEST_DATABASE_URL") or ""
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    "postgresql" not in DATABASE, reason="a separate server process needs PostgreSQL"
)


def _start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:create_app()"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=10).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("server did not start")


def test_sigkill_during_an_upload_leaves_no_stray_file_or_row(app, make, tmp_path):
    env = {
        **os.environ,
        "APP_ENV": "development",
        "WECHAT_MODE": "fake",
        "DATABASE_URL": DATABASE,
        "DATA_DIR": app.config["DATA_DIR"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LICENCE_CHECK_SECRET": app.config["LICENCE_CHECK_SECRET"],
        "COURIER_WEBHOOK_SECRET": app.config["COURIER_WEBHOOK_SECRET"],
    }
    user = make.applicant()
    auth = make.headers(user)
    proc, base = _start(env)
    try:
        view = requests.post(
            f"{base}/api/v1/applications",
            json=make.application_body(make.enterprise(user).id),
            headers=auth,
            timeout=30,
        ).json()
        boundary = "crashtestboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="material"\r\n\r\n'
            f"{view['materials'][0]['code']}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        ).encode()
        tmp_dir = Path(app.config["DATA_DIR"]) / "documents" / "tmp"
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as sock:
            sock.sendall(
                (
                    f"POST /api/v1/applications/{view['id']}/documents HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nAuthorization: {auth['Authorization']}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {len(head) + 10 * 1024 * 1024}\r\n\r\n"
                ).encode()
                + head
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(tmp_dir.glob("upload-*")):
                sock.sendall(b"x" * 256 * 1024)  # the body keeps arriving, never completes
                time.sleep(0.05)
            assert any(tmp_dir.glob("upload-*")), "the upload never reached the temp file"
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        assert any(tmp_dir.glob("upload-*")), "the kill left a half-written temp file"
        proc, base = _start(env)  # the restart sweeps what the dead worker left
        assert list(tmp_dir.glob("upload-*")) == []
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(Blob)) == 0
    flask = str(Path(sys.executable).with_name("flask"))
    audit = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [flask, "--app", "app", "audit", "verify"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
