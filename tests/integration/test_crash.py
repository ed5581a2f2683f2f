"""A server killed with SIGKILL mid-work leaves the office consistent once it restarts.

Runs against a real gunicorn subprocess on PostgreSQL (TEST_DATABASE_URL): the kill lands
while approvals are being issued, and while an upload is streaming in. After a restart: no
case half-approved, no licence without its signed PDF, licence numbers without gap or
duplicate, no document row and no temp file from the cut upload, the timeline's hash chains
intact, and the interrupted work can simply be retried.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, Document, Licence
from tests.integration.test_two_servers import _free_port, _wait_until_up

DATABASE = os.environ.get("TEST_DATABASE_URL") or ""

pytestmark = pytest.mark.skipif(
    "postgresql" not in DATABASE,
    reason="app servers killed mid-request need a shared database (TEST_DATABASE_URL=postgresql)",
)

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """One gunicorn process group on a free port, which can be killed without warning."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> str:
        port = _free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:create_app()"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        _wait_until_up(self.base)
        return self.base

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no handler, no clean-up runs."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)


@pytest.fixture
def server(app, tmp_path) -> Iterator[Server]:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "WECHAT_MODE": "fake",
        "RATELIMIT_ENABLED": "false",
        "DATABASE_URL": DATABASE,
        "DATA_DIR": app.config["DATA_DIR"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LICENCE_CHECK_SECRET": app.config["LICENCE_CHECK_SECRET"],
        "PII_KEY": app.config["PII_KEY"],  # the rows the test app sealed open on the servers
        "AUDIT_KEY": app.config["AUDIT_KEY"],
        "COURIER_WEBHOOK_SECRET": app.config["COURIER_WEBHOOK_SECRET"],
    }
    running = Server(env)
    try:
        yield running
    finally:
        running.stop()


def _audit_verify(runner) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_kill_during_approvals_leaves_each_case_approved_whole_or_not_at_all(
    app, make, runner, server
):
    approver = make.staff("approver", "120000")
    owner = make.applicant()
    firm = make.enterprise(owner)
    cases = [
        make.case_in_state(firm, "pending_decision", owner, recommendation="approve")
        for _ in range(40)
    ]
    auth = make.headers(approver)
    jobs = [(case.id, case.version) for case in cases]  # read here: the session is not shared
    base = server.start()
    answered = threading.Event()

    def approve(job: tuple[int, int]) -> int:
        case_id, version = job
        try:
            status = requests.post(
                f"{base}/api/v1/applications/{case_id}/actions",
                json={"action": "approve", "version": version},
                headers=auth,
                timeout=60,
            ).status_code
        except requests.RequestException:
            return -1  # the server died under this request
        answered.set()
        return status

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(approve, job) for job in jobs]
        assert answered.wait(timeout=120), "no approval was answered before the kill"
        server.kill()
        statuses = [f.result() for f in futures]
    assert 200 in statuses and -1 in statuses  # the kill really landed mid-way

    db.session.expire_all()
    licences = db.session.scalars(select(Licence)).all()
    approved = db.session.scalars(select(Application).where(Application.state == "approved")).all()
    assert len(licences) == len(approved)
    assert {lic.application_id for lic in licences} == {a.id for a in approved}
    for licence in licences:  # every issued licence has its signed PDF on disk
        assert licence.pdf_sha256
        path = Path(app.config["DATA_DIR"]) / "licences"
        assert any(path.rglob(licence.pdf_sha256[2:])), licence.number
    serials = sorted(int(lic.number[-6:]) for lic in licences)
    assert serials == list(range(1, len(licences) + 1))  # no gap, no duplicate
    _audit_verify(runner)

    base = server.start()  # the office restarts; the unanswered approvals are retried
    pending = db.session.scalars(
        select(Application).where(Application.state == "pending_decision")
    ).all()
    for case in pending:
        retried = requests.post(
            f"{base}/api/v1/applications/{case.id}/actions",
            json={"action": "approve", "version": case.version},
            headers=auth,
            timeout=60,
        )
        assert retried.status_code == 200, retried.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Licence)) == 40
    _audit_verify(runner)


def _temp_files(data_dir: str) -> list[Path]:
    return [p for p in Path(data_dir).rglob("*") if p.is_file() and p.parent.name == "tmp"]


def test_a_kill_during_an_upload_leaves_no_row_and_no_stray_file(app, make, server):
    user = make.applicant()
    auth = make.headers(user)
    base = server.start()
    created = requests.post(
        f"{base}/api/v1/applications",
        json=make.application_body(make.enterprise(user).id),
        headers=auth,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    view = created.json()
    boundary = "zerovisit-crash"
    material = view["materials"][0]["code"]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="material"\r\n\r\n{material}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    content = make.pdf_bytes("crash") + b"%" * (4 * 1024 * 1024)
    tail = f"\r\n--{boundary}--\r\n".encode()
    host, port = base.removeprefix("http://").split(":")
    request_head = (
        f"POST /api/v1/applications/{view['id']}/documents HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\nAuthorization: {auth['Authorization']}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(head) + len(content) + len(tail)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request_head + head + content[: len(content) // 2])
        time.sleep(1)  # the worker is inside the request, reading the body
        server.kill()

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    base = server.start()  # a restart sweeps whatever a killed writer left
    assert _temp_files(app.config["DATA_DIR"]) == []
    retried = requests.post(
        f"{base}/api/v1/applications/{view['id']}/documents",
        data={"material": material},
        files={"file": ("scan.pdf", content, "application/pdf")},
        headers=auth,
        timeout=60,
    )
    assert retried.status_code == 201, retried.text
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1
    assert _temp_files(app.config["DATA_DIR"]) == []
