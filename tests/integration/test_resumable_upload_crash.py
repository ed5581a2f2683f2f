"""A server killed between two PATCHes of a resumable upload: another one takes the rest.

Real gunicorn processes (on the test database, SQLite or PostgreSQL) and the ``tuspy``
client: the upload reaches 90 % through the first server, which is then killed with SIGKILL
(no handler runs, its in-process running hash is lost); a second server answers ``HEAD``
with the offset on disk, takes the rest, rehashes the stored prefix, and the document's
SHA-256 is the file's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator

import pytest
import requests

from app.extensions import db
from app.models import Document
from app.services.documents import storage
from tests.integration.test_crash import Server

tusclient = pytest.importorskip("tusclient", reason="tuspy missing: pip install -e '.[test]'")
from tusclient.client import TusClient  # noqa: E402
from tusclient.uploader import Uploader  # noqa: E402

CHUNK = 512 * 1024


class Sha256Uploader(Uploader):
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def servers(app, tmp_path) -> Iterator[tuple[Server, Server]]:
    database = os.environ.get("TEST_DATABASE_URL") or app.config["SQLALCHEMY_DATABASE_URI"]
    env = {
        **os.environ,
        "APP_ENV": "development",
        "WECHAT_MODE": "fake",
        "RATELIMIT_ENABLED": "false",
        "DATABASE_URL": database,
        "DATA_DIR": app.config["DATA_DIR"],
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "LICENCE_CHECK_SECRET": app.config["LICENCE_CHECK_SECRET"],
        "COURIER_WEBHOOK_SECRET": app.config["COURIER_WEBHOOK_SECRET"],
        # The test's personal data is sealed with its keys: the servers read it with them.
        "PII_KEY": app.config["PII_KEY"],
        "AUDIT_KEY": app.config["AUDIT_KEY"],
    }
    first, second = Server(env), Server(env)
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def test_a_server_killed_at_90_percent_leaves_an_upload_another_server_finishes(
    servers, make, tmp_path
):
    first, second = servers
    user = make.applicant()
    auth = make.headers(user)
    enterprise_id = make.enterprise(user).id
    db.session.commit()
    base = first.start()
    created = requests.post(
        f"{base}/api/v1/applications",
        json=make.application_body(enterprise_id),
        headers=auth,
        timeout=60,
    )
    assert created.status_code == 201, created.text
    view = created.json()
    path = tmp_path / "scan.pdf"
    path.write_bytes(make.pdf_bytes("断点续传") + os.urandom(4 * 1024 * 1024))
    size = path.stat().st_size
    metadata = {"material": view["materials"][0]["code"], "filename": "scan.pdf"}

    with path.open("rb") as stream:
        tus = Sha256Uploader(
            file_stream=stream,
            client=TusClient(f"{base}/api/v1/applications/{view['id']}/uploads", headers=auth),
            chunk_size=CHUNK,
            metadata=metadata,
            upload_checksum=True,
        )
        tus.upload(stop_at=int(size * 0.9))
        first.kill()

        other = second.start()
        url = tus.url.replace(base, other)
        stream.seek(0)
        resumed = Sha256Uploader(
            file_stream=stream,
            url=url,
            client=TusClient(f"{other}/api/v1/applications/{view['id']}/uploads", headers=auth),
            chunk_size=CHUNK,
            upload_checksum=True,
        )
        assert resumed.offset == int(size * 0.9)  # from HEAD on the second server
        resumed.upload()

    answer = json.loads(resumed.request.response_content)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert answer["sha256"] == expected
    db.session.rollback()
    document = db.session.get_one(Document, answer["id"])
    with storage().open(document.sha256) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == expected
