"""Uploads: judged by content, size-limited, stored once, served only to those allowed."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest


@pytest.fixture
def case(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    return auth, view, view["materials"][0]["code"]


def test_upload_and_download(client, make, case):
    auth, view, material = case
    content = make.pdf_bytes("营业执照")
    response = make.upload(client, auth, view["id"], material, content, "执照.pdf")
    assert response.status_code == 201
    document = response.get_json()
    assert document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["size"] == len(content)
    assert document["content_type"] == "application/pdf"
    assert document["filename"] == "执照.pdf"
    download = client.get(
        f"/api/v1/applications/{view['id']}/documents/{document['id']}/content",
        headers=auth,
        buffered=True,
    )
    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    shown = client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    listed = next(m for m in shown["materials"] if m["code"] == material)
    assert listed["status"] == "uploaded" and listed["documents"][0]["id"] == document["id"]


def test_type_is_judged_by_content_not_name(client, make, case):
    auth, view, material = case
    executable = b"MZ\x90\x00" + b"\x00" * 200
    response = make.upload(client, auth, view["id"], material, executable, "report.pdf")
    assert response.status_code == 415
    assert response.get_json()["code"] == "FILE_TYPE_NOT_ALLOWED"
    png = make.upload(client, auth, view["id"], material, make.PNG_1PX, "photo.pdf")
    assert png.status_code == 201 and png.get_json()["content_type"] == "image/png"


def test_ofd_is_accepted_but_a_plain_zip_is_not(client, make, case):
    auth, view, material = case

    def package(names):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name in names:
                archive.writestr(name, "<ofd/>")
        return buffer.getvalue()

    ofd = make.upload(
        client, auth, view["id"], material, package(["OFD.xml", "Doc_0/Document.xml"]), "a.ofd"
    )
    assert ofd.status_code == 201 and ofd.get_json()["content_type"] == "application/ofd"
    plain = make.upload(client, auth, view["id"], material, package(["evil.exe"]), "a.ofd")
    assert plain.status_code == 415


def test_oversized_upload_is_413_and_nothing_is_stored(app, client, make, case):
    auth, view, material = case
    app.config["MAX_UPLOAD_BYTES"] = 10 * 1024
    big = make.pdf_bytes() + b"%" * (20 * 1024)
    response = make.upload(client, auth, view["id"], material, big)
    assert response.status_code == 413
    shown = client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    assert all(not m["documents"] for m in shown["materials"])


def test_unknown_material_is_422(client, make, case):
    auth, view, _ = case
    response = make.upload(client, auth, view["id"], "no-such-material")
    assert response.status_code == 422
    assert response.get_json()["code"] == "MATERIAL_UNKNOWN"


def test_missing_file_is_422(client, make, case):
    auth, view, material = case
    response = client.post(
        f"/api/v1/applications/{view['id']}/documents",
        data={"material": material},
        headers=auth,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]


def test_json_body_on_upload_route_is_415(client, case):
    auth, view, material = case
    response = client.post(
        f"/api/v1/applications/{view['id']}/documents", json={"material": material}, headers=auth
    )
    assert response.status_code == 415


def test_same_content_is_stored_once(app, client, make, case):
    auth, view, material = case
    content = make.pdf_bytes("same")
    first = make.upload(client, auth, view["id"], material, content).get_json()
    second = make.upload(client, auth, view["id"], material, content).get_json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    from pathlib import Path

    blobs = [
        p for p in (Path(app.config["DATA_DIR"]) / "documents" / "blobs").rglob("*") if p.is_file()
    ]
    assert len(blobs) == 1
    assert not any((Path(app.config["DATA_DIR"]) / "documents" / "tmp").iterdir())


def test_others_cannot_download_or_delete(client, make, case):
    auth, view, material = case
    document = make.upload(client, auth, view["id"], material).get_json()
    url = f"/api/v1/applications/{view['id']}/documents/{document['id']}"
    stranger = make.headers(make.applicant())
    assert client.get(url + "/content", headers=stranger).status_code == 404
    assert client.delete(url, headers=stranger).status_code == 404
    outsider = make.headers(make.staff("reviewer", "320000"))
    assert client.get(url + "/content", headers=outsider).status_code == 404
    reviewer = make.headers(make.staff("reviewer", "120000"))
    assert client.get(url + "/content", headers=reviewer, buffered=True).status_code == 200


def test_delete_only_while_editable(client, make, case):
    auth, view, material = case
    document = make.upload(client, auth, view["id"], material).get_json()
    url = f"/api/v1/applications/{view['id']}/documents/{document['id']}"
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url + "/content", headers=auth).status_code == 404
    view = make.upload_required(
        client, auth, client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    )
    view = make.act(client, auth, view, "submit").get_json()
    doc_id = view["materials"][0]["documents"][0]["id"]
    late = client.delete(f"/api/v1/applications/{view['id']}/documents/{doc_id}", headers=auth)
    assert late.status_code == 409


def test_after_acceptance_only_a_deferred_material_takes_a_file(client, make, office, drive):
    """Past the draft, the case's material statuses decide: a deferred (容缺) material still
    takes its file, one already uploaded does not, and an unknown code is still unknown."""
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view, include_deferrable=False)
    deferred = [m["code"] for m in view["materials"] if m["status"] == "deferred"]
    uploaded = [m["code"] for m in view["materials"] if m["status"] == "uploaded"]
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))

    refused = make.upload(client, office.applicant, view["id"], uploaded[0])
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "APPLICATION_NOT_EDITABLE"
    unknown = make.upload(client, office.applicant, view["id"], "no-such-material")
    assert unknown.get_json()["code"] == "MATERIAL_UNKNOWN"
    assert make.upload(client, office.applicant, view["id"], deferred[0]).status_code == 201
    shown = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    statuses = {m["code"]: m["status"] for m in shown["materials"]}
    assert statuses[deferred[0]] == "uploaded"
    assert len(next(m for m in shown["materials"] if m["code"] == uploaded[0])["documents"]) == 1
