"""Two app servers on one PostgreSQL and one Redis, sharing a DATA_DIR or an S3 bucket, behave as
one office.

Runs only with TEST_DATABASE_URL on PostgreSQL and Redis on 127.0.0.1:6379 (CI has both).
Each server is a real gunicorn subprocess; the test drives them over HTTP with requests.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.domain.outbox import enqueue
from app.extensions import db
from app.models import Notification, OutboxMessage

DATABASE = os.environ.get("TEST_DATABASE_URL") or ""
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    "postgresql" not in DATABASE or not _redis_up(),
    reason="needs TEST_DATABASE_URL on PostgreSQL and Redis on 127.0.0.1:6379",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shared_env(app, tmp_path) -> dict[str, str]:
    """What both servers share: database, documents, secrets, the limiter's Redis."""
    return {
        **os.environ,
        "APP_ENV": "development",
        "WECHAT_MODE": "fake",
        "DATABASE_URL": DATABASE,
        "DATA_DIR": app.config["DATA_DIR"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LICENCE_CHECK_SECRET": app.config["LICENCE_CHECK_SECRET"],
        "PII_KEY": app.config["PII_KEY"],  # the rows the test app sealed open on the servers
        "AUDIT_KEY": app.config["AUDIT_KEY"],
        "COURIER_WEBHOOK_SECRET": app.config["COURIER_WEBHOOK_SECRET"],
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"zv-test-{uuid.uuid4().hex}",
        "STAFF_LOGIN_LIMIT": "3 per 15 minutes",
    }


@contextmanager
def _running(envs: list[dict[str, str]]) -> Iterator[list[str]]:
    """One gunicorn per environment; their base URLs while they run."""
    procs, bases = [], []
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    for env in envs:
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", "1", "app:create_app()"],
                env=env,
                cwd=Path(__file__).resolve().parents[2],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            _wait_until_up(base)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


@pytest.fixture
def servers(shared_env) -> Iterator[list[str]]:
    with _running([shared_env, shared_env]) as bases:
        yield bases


@pytest.fixture
def s3_servers(shared_env, s3_settings, tmp_path) -> Iterator[list[str]]:
    """Two servers that share only the database and a bucket: each has its own DATA_DIR."""
    credentials = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    envs = [
        {
            **shared_env,
            **credentials,
            **{name: str(value) for name, value in s3_settings.items()},
            "DATA_DIR": str(tmp_path / f"server-{n}"),
        }
        for n in range(2)
    ]
    with _running(envs) as bases:
        yield bases


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not start")


@pytest.mark.parametrize("storage", ["local", "s3"])
def test_a_document_uploaded_through_one_is_served_by_the_other(request, storage, make):
    """With the local store the servers share DATA_DIR; with S3 they share only the bucket."""
    first, second = request.getfixturevalue("servers" if storage == "local" else "s3_servers")
    user = make.applicant()
    auth = make.headers(user)
    created = requests.post(
        f"{first}/api/v1/applications",
        json=make.application_body(make.enterprise(user).id),
        headers=auth,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    view = created.json()
    content = make.pdf_bytes("two servers") + os.urandom(6 * 1024 * 1024)  # above the threshold
    uploaded = requests.post(
        f"{first}/api/v1/applications/{view['id']}/documents",
        data={"material": view["materials"][0]["code"]},
        files={"file": ("scan.pdf", content, "application/pdf")},
        headers={**auth, "Idempotency-Key": f"two-servers-{storage}"},
        timeout=60,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["sha256"] == hashlib.sha256(content).hexdigest()
    served = requests.get(
        f"{second}/api/v1/applications/{view['id']}/documents/{uploaded.json()['id']}/content",
        headers=auth,
        timeout=60,
    )
    assert served.status_code == 200
    assert served.content == content
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_login_throttling_holds_across_both_servers(servers, make):
    make.staff("clerk", username="two-server-clerk")
    statuses = [
        requests.post(
            f"{servers[n % 2]}/api/v1/auth/staff",
            json={"username": "two-server-clerk", "password": "wrong-password"},
            timeout=30,
        ).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


def test_two_outbox_drains_never_deliver_one_message_twice(app, shared_env, make):
    user = make.applicant()
    for n in range(60):
        enqueue(user.id, "case", "测试通知", f"第{n}条", {}, dedupe_key=f"two-drains:{n}")
    db.session.commit()
    flask = str(Path(sys.executable).with_name("flask"))

    def drain(_):
        return subprocess.run(
            [flask, "--app", "app", "outbox", "drain"],
            env=shared_env,
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            timeout=120,
        ).returncode

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(drain, range(2))) == [0, 0]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 60
    per_message = db.session.execute(
        select(Notification.outbox_id, func.count()).group_by(Notification.outbox_id)
    ).all()
    assert all(count == 1 for _, count in per_message)
    pending = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
    )
    assert pending == 0
