"""Resumable uploads (tus 1.0.0): a scan cut off on a train resumes where it stopped.

The uploads are driven by ``tuspy`` — an independent tus client, not this project's code —
over real HTTP against the app served on a local port; the protocol's refusals are checked
with ``requests`` and the test client.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from app.extensions import db
from app.integrations.storage import local
from app.jobs.daily_jobs import DAILY_JOBS
from app.models import Document, RequestAttachment, ResumableUpload
from app.services.documents import storage
from app.services.resumable_uploads import partial_dir
from tests.conftest import FROZEN_NOW

tusclient = pytest.importorskip("tusclient", reason="tuspy missing: pip install -e '.[test]'")
from tusclient.client import TusClient  # noqa: E402
from tusclient.exceptions import TusCommunicationError  # noqa: E402
from tusclient.uploader import Uploader  # noqa: E402

TUS = {"Tus-Resumable": "1.0.0"}
MIB = 1024 * 1024
CHUNK = 256 * 1024


class Sha256Uploader(Uploader):
    """tuspy's uploader, sending ``Upload-Checksum: sha256 …`` with every chunk."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def live(app) -> Iterator[str]:
    """The app on a free local port, in a thread of this process (same database, same clock)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def case(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    return auth, view, view["materials"][0]["code"]


def scan_file(tmp_path: Path, make, size: int, name: str = "scan.pdf") -> Path:
    """A PDF of ``size`` bytes whose tail is random, so every test stores new bytes."""
    content = make.pdf_bytes("断点续传") + os.urandom(size)
    path = tmp_path / name
    path.write_bytes(content[:size])
    return path


OPEN_STREAMS: list = []


@pytest.fixture(autouse=True)
def _close_streams() -> Iterator[None]:
    """Files handed to tuspy as streams (it leaves a file it opened itself unclosed)."""
    yield
    while OPEN_STREAMS:
        OPEN_STREAMS.pop().close()


def tus_uploader(creation: str, auth: dict, metadata: dict, path: Path, **kwargs) -> Sha256Uploader:
    """tuspy's uploader of ``path`` to the tus creation URL ``creation`` (``url=`` resumes an
    upload already made; the stream is closed after the test), each piece with its
    ``Upload-Checksum``."""
    stream = path.open("rb")
    OPEN_STREAMS.append(stream)
    return Sha256Uploader(
        file_stream=stream,
        client=TusClient(creation, headers=auth),
        chunk_size=CHUNK,
        metadata=metadata,
        upload_checksum=True,
        **kwargs,
    )


def uploader(base: str, auth: dict, view: dict, material: str, path: Path, **kwargs):
    url = f"{base}/api/v1/applications/{view['id']}/uploads"
    metadata = {"material": material, "filename": "营业执照扫描件.pdf"}
    return tus_uploader(url, auth, metadata, path, **kwargs)


def head_offset(url: str, auth: dict) -> int:
    response = requests.head(url, headers={**auth, **TUS}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return int(response.headers["Upload-Offset"])


def stored_sha256(document_id: int) -> str:
    document = db.session.get_one(Document, document_id)
    with storage().open(document.sha256) as stream:
        return hashlib.sha256(stream.read()).hexdigest()


def test_an_upload_cut_at_40_percent_resumes_from_head(live, case, make, tmp_path):
    auth, view, material = case
    path = scan_file(tmp_path, make, 3 * 1024 * 1024 + 12345)
    cut = int(path.stat().st_size * 0.4)
    first = uploader(live, auth, view, material, path)
    first.upload(stop_at=cut)
    assert first.url is not None

    resumed = uploader(live, auth, view, material, path, url=first.url)  # asks HEAD
    assert resumed.offset == head_offset(first.url, auth) == cut
    resumed.upload()

    body = json.loads(resumed.request.response_content)  # the last PATCH's answer
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert body["sha256"] == expected
    assert body["material"] == material and body["filename"] == "营业执照扫描件.pdf"
    assert body["content_type"] == "application/pdf" and body["size"] == path.stat().st_size
    assert "application_version" in body
    assert stored_sha256(body["id"]) == expected
    assert not any(partial_dir().iterdir()), "the partial file became the stored blob"
    shown = requests.get(f"{live}/api/v1/applications/{view['id']}", headers=auth, timeout=30)
    listed = next(m for m in shown.json()["materials"] if m["code"] == material)
    assert listed["status"] == "uploaded" and listed["documents"][0]["id"] == body["id"]


def test_a_wrong_checksum_is_460_and_nothing_is_appended(live, case, make, tmp_path):
    auth, view, material = case
    path = scan_file(tmp_path, make, 600 * 1024)
    first = uploader(live, auth, view, material, path)
    first.upload(stop_at=CHUNK)
    piece = path.read_bytes()[CHUNK : 2 * CHUNK]
    wrong = base64.b64encode(hashlib.sha256(piece + b"x").digest()).decode()
    response = requests.patch(
        first.url,
        data=piece,
        headers={
            **auth,
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(CHUNK),
            "Upload-Checksum": f"sha256 {wrong}",
        },
        timeout=30,
    )
    assert response.status_code == 460
    assert response.json()["code"] == "CHECKSUM_MISMATCH"
    assert head_offset(first.url, auth) == CHUNK
    upload_id = first.url.rsplit("/", 1)[1]
    assert (partial_dir() / upload_id).stat().st_size == CHUNK
    unknown = requests.patch(
        first.url,
        data=piece,
        headers={
            **auth,
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(CHUNK),
            "Upload-Checksum": "md5 AAAA",
        },
        timeout=30,
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "CHECKSUM_ALGORITHM_UNSUPPORTED"

    uploader(live, auth, view, material, path, url=first.url).upload()  # the retry succeeds
    assert (
        db.session.scalars(db.select(Document)).one().sha256
        == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_a_wrong_offset_is_409_with_the_servers_offset(live, case, make, tmp_path):
    auth, view, material = case
    path = scan_file(tmp_path, make, 600 * 1024)
    first = uploader(live, auth, view, material, path)
    first.upload(stop_at=CHUNK)
    response = requests.patch(
        first.url,
        data=b"%PDF-",
        headers={
            **auth,
            **TUS,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": "0",
        },
        timeout=30,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "UPLOAD_OFFSET_MISMATCH"
    assert response.headers["Upload-Offset"] == str(CHUNK)
    assert head_offset(first.url, auth) == CHUNK


def test_over_the_size_limit_is_413_at_creation(live, case, make, tmp_path, app):
    auth, view, material = case
    app.config["MAX_UPLOAD_BYTES"] = 1024 * 1024
    path = scan_file(tmp_path, make, 1024 * 1024 + 1)
    with pytest.raises(TusCommunicationError) as refused:
        uploader(live, auth, view, material, path).upload()
    assert refused.value.status_code == 413
    assert db.session.scalars(db.select(ResumableUpload)).all() == []


def _refused_like_multipart(tus, multipart, auth, model) -> None:
    """The tus upload is refused at its last byte with the multipart route's very answer, and
    leaves nothing behind: no row of ``model``, no upload, no bytes."""
    with pytest.raises(Exception) as refused:  # tuspy raises TusUploadFailed on the 415
        tus.upload()
    assert multipart.status_code == 415
    assert refused.value.status_code == 415
    problem = json.loads(refused.value.response_content)
    assert problem == multipart.get_json()
    assert problem["code"] == "FILE_TYPE_NOT_ALLOWED"
    assert db.session.scalars(db.select(model)).all() == []
    assert requests.head(tus.url, headers={**auth, **TUS}, timeout=30).status_code == 404
    assert not any(partial_dir().iterdir())


def test_a_pdf_html_polyglot_is_refused_at_the_end_like_the_multipart_route(
    live, case, make, tmp_path, client
):
    auth, view, material = case
    content = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n" + os.urandom(
        400 * 1024
    )
    path = tmp_path / "polyglot.pdf"
    path.write_bytes(content)
    tus = uploader(live, auth, view, material, path)
    multipart = make.upload(client, auth, view["id"], material, content, "polyglot.pdf")
    _refused_like_multipart(tus, multipart, auth, Document)


def test_someone_elses_application_or_upload_is_not_found(live, case, make, tmp_path):
    auth, view, material = case
    path = scan_file(tmp_path, make, 300 * 1024)
    mine = uploader(live, auth, view, material, path)
    mine.upload(stop_at=CHUNK)
    other = make.headers(make.applicant())
    with pytest.raises(TusCommunicationError) as refused:
        uploader(live, other, view, material, path).upload()
    assert refused.value.status_code == 404
    piece = {**TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(CHUNK)}
    assert requests.head(mine.url, headers={**other, **TUS}, timeout=30).status_code == 404
    assert (
        requests.patch(mine.url, data=b"x", headers={**other, **piece}, timeout=30).status_code
        == 404
    )
    assert requests.delete(mine.url, headers={**other, **TUS}, timeout=30).status_code == 404
    assert head_offset(mine.url, auth) == CHUNK


def test_options_advertises_the_extensions(client, case):
    _, view, _ = case
    response = client.options(f"/api/v1/applications/{view['id']}/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "checksum",
        "termination",
        "expiration",
    }
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256"
    assert int(response.headers["Tus-Max-Size"]) == 20 * 1024 * 1024


def _create(client, auth, view, material, length: int) -> str:
    metadata = f"material {base64.b64encode(material.encode()).decode()}"
    response = client.post(
        f"/api/v1/applications/{view['id']}/uploads",
        headers={**auth, **TUS, "Upload-Length": str(length), "Upload-Metadata": metadata},
    )
    assert response.status_code == 201, response.get_json()
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Upload-Expires"].endswith("GMT")
    return response.headers["Location"]


def test_a_piece_beyond_the_declared_length_is_413_and_not_kept(client, case):
    auth, view, material = case
    url = _create(client, auth, view, material, 10)
    patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    refused = client.patch(url, data=b"%PDF-1.4\n" + b"x" * 10, headers=patch)
    assert refused.status_code == 413 and refused.get_json()["code"] == "UPLOAD_LENGTH_EXCEEDED"
    assert client.head(url, headers={**auth, **TUS}).headers["Upload-Offset"] == "0"


def test_pieces_start_their_writeback_on_the_way_and_the_store_only_renames(
    client, case, make, tmp_path, monkeypatch
):
    """Each PATCH hands every 4 MiB it appends to the disk at once, counted from its own
    offset; the finished file, fdatasynced by its PATCHes, moves into the store by a rename
    without being synced again, and the document's hash is the file's."""
    auth, view, material = case
    content = scan_file(tmp_path, make, 10 * MIB).read_bytes()
    advised: list[tuple[int, int]] = []
    monkeypatch.setattr(
        os, "posix_fadvise", lambda fd, start, length, advice: advised.append((start, length))
    )
    synced_again: list[Path] = []
    monkeypatch.setattr(local, "_fsync_file", synced_again.append)
    url = _create(client, auth, view, material, len(content))
    patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream"}
    half = 5 * MIB
    first = client.patch(url, data=content[:half], headers={**patch, "Upload-Offset": "0"})
    assert first.status_code == 204
    last = client.patch(url, data=content[half:], headers={**patch, "Upload-Offset": str(half)})
    assert last.status_code == 200, last.get_json()
    assert advised == [(0, 4 * MIB), (half, 4 * MIB)]
    assert synced_again == []
    assert stored_sha256(last.get_json()["id"]) == hashlib.sha256(content).hexdigest()
    assert storage().read_bytes(hashlib.sha256(content).hexdigest()) == content


def test_an_upload_whose_bytes_are_gone_is_404_not_500(client, case):
    auth, view, material = case
    url = _create(client, auth, view, material, 10)
    for leftover in partial_dir().iterdir():
        leftover.unlink()
    patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    gone = client.patch(url, data=b"%PDF-1.4\n", headers=patch)
    assert gone.status_code == 404 and gone.get_json()["code"] == "UPLOAD_NOT_FOUND"
    assert client.head(url, headers={**auth, **TUS}).status_code == 404


def test_termination_removes_the_upload_and_its_bytes(client, case):
    auth, view, material = case
    url = _create(client, auth, view, material, 1000)
    assert client.delete(url, headers={**auth, **TUS}).status_code == 204
    assert client.head(url, headers={**auth, **TUS}).status_code == 404
    assert not any(partial_dir().iterdir())


def test_an_unfinished_upload_expires_and_the_daily_jobs_remove_its_bytes(client, case, frozen_now):
    auth, view, material = case
    url = _create(client, auth, view, material, 1000)
    patch = {**auth, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    assert client.patch(url, data=b"%PDF-1.4\n", headers=patch).status_code == 204
    assert len(list(partial_dir().iterdir())) == 1
    later = FROZEN_NOW + timedelta(hours=24, minutes=1)
    frozen_now(later)
    assert client.head(url, headers={**auth, **TUS}).status_code == 404
    job = next(job for job in DAILY_JOBS if job.name == "uploads expiry")
    assert "1" in job.run(later.date())
    assert db.session.scalars(db.select(ResumableUpload)).all() == []
    assert not any(partial_dir().iterdir())


def test_an_account_keeps_a_bounded_number_of_unfinished_uploads(client, case, app, frozen_now):
    auth, view, material = case
    app.config["MAX_OPEN_UPLOADS"] = 2
    first = _create(client, auth, view, material, 1000)
    _create(client, auth, view, material, 1000)
    headers = {
        **auth,
        **TUS,
        "Upload-Length": "1000",
        "Upload-Metadata": f"material {base64.b64encode(material.encode()).decode()}",
    }
    url = f"/api/v1/applications/{view['id']}/uploads"
    refused = client.post(url, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["code"] == "TOO_MANY_UPLOADS"
    assert "最多2个" in refused.get_json()["detail"]
    assert len(db.session.scalars(db.select(ResumableUpload)).all()) == 2
    assert client.delete(first, headers={**auth, **TUS}).status_code == 204
    third = client.post(url, headers=headers)
    assert third.status_code == 201  # room again once one is given up
    upload_id = third.headers["Location"].rsplit("/", 1)[1]
    (partial_dir() / upload_id).unlink()  # refused at its last byte: the pipeline drops the file
    assert client.post(url, headers=headers).status_code == 201  # a row without bytes holds none
    frozen_now(FROZEN_NOW + timedelta(hours=25))  # expired uploads hold no place either
    assert client.post(url, headers=headers).status_code == 201


def test_a_request_without_the_tus_version_is_412(client, case):
    auth, view, material = case
    response = client.post(
        f"/api/v1/applications/{view['id']}/uploads", headers={**auth, "Upload-Length": "10"}
    )
    assert response.status_code == 412
    assert response.get_json()["code"] == "TUS_VERSION_UNSUPPORTED"
    assert response.headers["Tus-Version"] == "1.0.0"


# Request desk attachments: the same protocol and pipeline on /enterprise-requests/{id}/uploads.

DESK = "/api/v1/enterprise-requests"
PIECE = {**TUS, "Content-Type": "application/offset+octet-stream"}


def file_request(client, make, auth: dict, enterprise_id: int) -> dict:
    body = {
        "enterprise_id": enterprise_id,
        "topic": "tax",
        "title": "留抵退税",
        "description": "咨询",
    }
    response = client.post(DESK, json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def desk_request(client, make):
    user = make.applicant()
    auth = make.headers(user)
    return auth, file_request(client, make, auth, make.enterprise(user).id)


def attachment_uploader(base: str, auth: dict, item: dict, path: Path, **kwargs):
    url = f"{base}{DESK}/{item['id']}/uploads"
    return tus_uploader(url, auth, {"filename": "整改报告.pdf"}, path, **kwargs)


def cut_patch(url: str, auth: dict, offset: int, body: bytes, sent: int) -> int:
    """A PATCH announcing all of ``body`` whose connection is lost after ``sent`` bytes (the
    train enters a tunnel); returns the status the server answered once it saw the loss."""
    parts = urlsplit(url)
    head = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(body)}",
        f"Upload-Offset: {offset}",
        *(f"{name}: {value}" for name, value in {**auth, **PIECE}.items()),
    ]
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[:sent])
        connection.shutdown(socket.SHUT_WR)
        answer = connection.makefile("rb").readline()
    return int(answer.split()[1])


def test_a_request_attachment_cut_mid_patch_resumes_from_head(
    live, desk_request, make, tmp_path, client
):
    auth, item = desk_request
    path = scan_file(tmp_path, make, 2 * 1024 * 1024 + 4321, name="report.pdf")
    content = path.read_bytes()
    first = attachment_uploader(live, auth, item, path)
    first.upload(stop_at=CHUNK)
    assert first.url is not None and first.url.startswith(f"{live}{DESK}/{item['id']}/uploads/")
    lost_at = int(len(content) * 0.9)
    assert cut_patch(first.url, auth, CHUNK, content[CHUNK:], lost_at - CHUNK) == 204
    assert head_offset(first.url, auth) == lost_at  # what arrived before the loss is kept

    resumed = attachment_uploader(live, auth, item, path, url=first.url)  # asks HEAD
    assert resumed.offset == lost_at
    resumed.upload()

    body = json.loads(resumed.request.response_content)  # the last PATCH's answer
    expected = hashlib.sha256(content).hexdigest()
    assert body["sha256"] == expected and body["size"] == len(content)
    assert body["filename"] == "整改报告.pdf" and body["content_type"] == "application/pdf"
    detail = client.get(f"{DESK}/{item['id']}", headers=auth).get_json()
    assert detail["attachments"] == [body]  # the multipart route's fields, nothing else
    stored = client.get(f"{DESK}/{item['id']}/attachments/{body['id']}/content", headers=auth)
    assert hashlib.sha256(stored.data).hexdigest() == expected
    stored.close()
    assert not any(partial_dir().iterdir()), "the partial file became the stored blob"

    retried = requests.patch(  # the last PATCH again (its answer was lost): the same file
        first.url, data=b"", headers={**auth, **PIECE, "Upload-Offset": str(len(content))}
    )
    assert retried.status_code == 200 and retried.json() == body
    assert db.session.scalars(db.select(RequestAttachment)).all()[0].id == body["id"]
    assert len(db.session.scalars(db.select(RequestAttachment)).all()) == 1


def test_a_request_attachment_with_a_wrong_checksum_is_460_and_a_wrong_offset_409(
    live, desk_request, make, tmp_path
):
    auth, item = desk_request
    path = scan_file(tmp_path, make, 600 * 1024)
    first = attachment_uploader(live, auth, item, path)
    first.upload(stop_at=CHUNK)
    piece = path.read_bytes()[CHUNK : 2 * CHUNK]
    wrong = base64.b64encode(hashlib.sha256(piece + b"x").digest()).decode()
    at = {**auth, **PIECE, "Upload-Offset": str(CHUNK)}
    mismatch = requests.patch(
        first.url, data=piece, headers={**at, "Upload-Checksum": f"sha256 {wrong}"}, timeout=30
    )
    assert mismatch.status_code == 460 and mismatch.json()["code"] == "CHECKSUM_MISMATCH"
    assert head_offset(first.url, auth) == CHUNK
    assert (partial_dir() / first.url.rsplit("/", 1)[1]).stat().st_size == CHUNK

    behind = requests.patch(first.url, data=piece, headers={**at, "Upload-Offset": "0"}, timeout=30)
    assert behind.status_code == 409 and behind.json()["code"] == "UPLOAD_OFFSET_MISMATCH"
    assert behind.headers["Upload-Offset"] == str(CHUNK)

    attachment_uploader(live, auth, item, path, url=first.url).upload()  # the retry succeeds
    assert db.session.scalars(db.select(RequestAttachment)).one().sha256 == (
        hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_someone_elses_request_or_upload_is_not_found(live, desk_request, make, tmp_path, client):
    auth, item = desk_request
    path = scan_file(tmp_path, make, 300 * 1024)
    mine = attachment_uploader(live, auth, item, path)
    mine.upload(stop_at=CHUNK)
    stranger = make.applicant()
    other = make.headers(stranger)
    with pytest.raises(TusCommunicationError) as refused:
        attachment_uploader(live, other, item, path).upload()
    assert refused.value.status_code == 404
    assert json.loads(refused.value.response_content)["code"] == "REQUEST_NOT_FOUND"
    piece = {**PIECE, "Upload-Offset": str(CHUNK)}
    assert requests.head(mine.url, headers={**other, **TUS}, timeout=30).status_code == 404
    assert (
        requests.patch(mine.url, data=b"x", headers={**other, **piece}, timeout=30).status_code
        == 404
    )
    assert requests.delete(mine.url, headers={**other, **TUS}, timeout=30).status_code == 404
    # The upload belongs to its request: under another request of the same applicant it is
    # not found either.
    second = file_request(client, make, auth, item["enterprise"]["id"])
    elsewhere = mine.url.replace(f"/{item['id']}/uploads/", f"/{second['id']}/uploads/")
    assert requests.head(elsewhere, headers={**auth, **TUS}, timeout=30).status_code == 404
    assert head_offset(mine.url, auth) == CHUNK


def test_a_polyglot_attachment_is_refused_at_the_end_like_the_multipart_route(
    live, desk_request, tmp_path, client
):
    auth, item = desk_request
    content = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n" + os.urandom(
        400 * 1024
    )
    path = tmp_path / "polyglot.pdf"
    path.write_bytes(content)
    tus = attachment_uploader(live, auth, item, path)
    multipart = client.post(
        f"{DESK}/{item['id']}/attachments",
        data={"file": (io.BytesIO(content), "polyglot.pdf")},
        headers=auth,
        content_type="multipart/form-data",
    )
    _refused_like_multipart(tus, multipart, auth, RequestAttachment)


def test_a_closed_request_takes_no_upload_like_the_multipart_route(client, desk_request, make):
    auth, item = desk_request
    url = _create_for_request(client, auth, item, 10)
    close = {"action": "close", "version": item["version"]}
    assert client.post(f"{DESK}/{item['id']}/actions", json=close, headers=auth).status_code == 200
    multipart = client.post(
        f"{DESK}/{item['id']}/attachments",
        data={"file": (io.BytesIO(make.pdf_bytes()), "a.pdf")},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert multipart.status_code == 409
    created = client.post(
        f"{DESK}/{item['id']}/uploads", headers={**auth, **TUS, "Upload-Length": "10"}
    )
    assert (created.status_code, created.get_json()) == (409, multipart.get_json())
    # An upload begun before the close is refused at its last byte the same way.
    last = client.patch(url, data=b"%PDF-1.4\nx", headers={**auth, **PIECE, "Upload-Offset": "0"})
    assert (last.status_code, last.get_json()) == (409, multipart.get_json())
    assert db.session.scalars(db.select(RequestAttachment)).all() == []


def test_options_on_the_request_uploads_advertise_the_extensions(client, desk_request):
    _, item = desk_request
    response = client.options(f"{DESK}/{item['id']}/uploads")
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert "creation" in response.headers["Tus-Extension"].split(",")
    assert response.headers["Tus-Checksum-Algorithm"] == "sha256"


def _create_for_request(client, auth, item, length: int) -> str:
    response = client.post(
        f"{DESK}/{item['id']}/uploads",
        headers={**auth, **TUS, "Upload-Length": str(length)},
    )
    assert response.status_code == 201, response.get_json()
    return response.headers["Location"]
