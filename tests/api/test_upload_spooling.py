"""Uploads are parsed straight into the store's temp folder: whatever the outcome, none stays."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


@pytest.fixture
def case(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    return auth, view, view["materials"][0]["code"]


def _temp_files(app) -> list[Path]:
    tmp = Path(app.config["DATA_DIR"]) / "documents" / "tmp"
    return sorted(tmp.iterdir()) if tmp.is_dir() else []


def test_a_stored_upload_leaves_no_temp_file(app, client, make, case):
    auth, view, material = case
    content = make.pdf_bytes("stored") + b"%" * (200 * 1024)
    response = make.upload(client, auth, view["id"], material, content)
    assert response.status_code == 201
    assert _temp_files(app) == []
    document = response.get_json()
    url = f"/api/v1/applications/{view['id']}/documents/{document['id']}/content"
    with client.get(url, headers=auth) as served:
        assert served.data == content


def test_a_file_over_the_limit_is_413_file_too_large_and_leaves_nothing(app, client, make, case):
    auth, view, material = case
    app.config["MAX_UPLOAD_BYTES"] = 64 * 1024  # the body may exceed it by the form's slack
    response = make.upload(client, auth, view["id"], material, make.pdf_bytes() + b"%" * 70_000)
    assert response.status_code == 413
    assert response.get_json()["code"] == "FILE_TOO_LARGE"
    assert _temp_files(app) == []


def test_a_refused_type_leaves_nothing(app, client, make, case):
    auth, view, material = case
    response = make.upload(client, auth, view["id"], material, b"MZ\x90\x00 a program", "a.pdf")
    assert response.status_code == 415
    assert _temp_files(app) == []
    assert not (Path(app.config["DATA_DIR"]) / "documents" / "blobs").exists()


def test_the_same_key_with_another_file_of_the_same_name_is_refused(client, make, case):
    auth, view, material = case
    keyed = {**auth, "Idempotency-Key": "scan-1"}
    first = make.upload(client, keyed, view["id"], material, make.pdf_bytes("first scan"))
    other = make.upload(client, keyed, view["id"], material, make.pdf_bytes("second scan"))
    assert first.status_code == 201
    assert other.status_code == 422
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_an_upload_cut_off_midway_leaves_nothing(app, client, case):
    auth, view, material = case
    boundary = "cut-off"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="material"\r\n\r\n{material}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode() + b"%" * 100_000  # the phone lost its connection here
    response = client.post(
        f"/api/v1/applications/{view['id']}/documents",
        input_stream=io.BytesIO(body),
        headers={
            **auth,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(body) + 50_000),
        },
    )
    assert response.status_code in (400, 422)
    assert _temp_files(app) == []
