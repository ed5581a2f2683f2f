"""The app with STORAGE_BACKEND=s3: uploads, downloads and generated PDFs live in the bucket.

Against moto's S3 server on 127.0.0.1; the local DATA_DIR keeps no blob.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from app.extensions import db
from app.integrations.storage import S3Storage, storage_for
from app.licences.documents import store_licence_pdf
from app.timekeeping import now


@pytest.fixture
def s3_app(app, s3_settings):
    app.config.update(s3_settings)
    return app


def _local_blobs(app) -> list[Path]:
    return [
        p for p in Path(app.config["DATA_DIR"]).rglob("*") if p.is_file() and "pki" not in p.parts
    ]


def test_an_upload_is_stored_in_the_bucket_and_served_from_it(s3_app, client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    content = make.pdf_bytes("kept in the bucket")
    uploaded = make.upload(client, auth, view["id"], view["materials"][0]["code"], content)
    assert uploaded.status_code == 201, uploaded.get_json()
    sha256 = uploaded.get_json()["sha256"]
    assert sha256 == hashlib.sha256(content).hexdigest()
    store = storage_for("documents")
    assert isinstance(store, S3Storage) and store.exists(sha256)
    assert _local_blobs(s3_app) == []

    url = f"/api/v1/applications/{view['id']}/documents/{uploaded.get_json()['id']}"
    with client.get(f"{url}/content", headers=auth) as served:
        assert served.status_code == 200
        assert served.data == content
    assert client.delete(url, headers=auth).status_code == 204
    assert not store.exists(sha256), "the last reference is gone: so are the bytes"


def test_a_rejected_upload_leaves_nothing_in_the_bucket_or_on_disk(s3_app, client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    refused = make.upload(
        client, auth, view["id"], view["materials"][0]["code"], b"<html>not a scan</html>"
    )
    assert refused.status_code == 415
    assert refused.get_json()["code"] == "FILE_TYPE_NOT_ALLOWED"
    store = storage_for("documents")
    assert store.client.list_objects_v2(Bucket=store.bucket).get("KeyCount") == 0
    assert _local_blobs(s3_app) == []


def test_a_signed_licence_pdf_goes_to_the_bucket(s3_app, client, make):
    user = make.applicant()
    licence = make.licence(make.enterprise(user))
    store_licence_pdf(licence, now())
    db.session.commit()
    assert storage_for("licences").exists(licence.pdf_sha256)
    assert _local_blobs(s3_app) == []
    response = client.get(f"/api/v1/licences/{licence.id}/pdf", headers=make.headers(user))
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert hashlib.sha256(response.data).hexdigest() == licence.pdf_sha256


def test_an_unreachable_store_answers_503_and_stores_nothing(s3_app, client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    material = view["materials"][0]["code"]
    stored = make.upload(client, auth, view["id"], material).get_json()
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    s3_app.config["S3_ENDPOINT_URL"] = closed

    refused = make.upload(client, auth, view["id"], material, make.pdf_bytes("store is down"))
    assert refused.status_code == 503
    assert refused.get_json()["code"] == "STORAGE_UNAVAILABLE"
    assert refused.headers["Retry-After"]
    url = f"/api/v1/applications/{view['id']}/documents/{stored['id']}/content"
    assert client.get(url, headers=auth).status_code == 503
    view = client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    documents = next(m for m in view["materials"] if m["code"] == material)["documents"]
    assert [d["id"] for d in documents] == [stored["id"]]
    assert list(storage_for("documents").tmp_dir.iterdir()) == []
