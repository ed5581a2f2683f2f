"""No stray bytes: stale temp files swept at start, unreferenced blobs removed on delete."""

from __future__ import annotations

import os
from pathlib import Path

from app import _sweep_stale_uploads
from app.extensions import db
from app.models import Blob


def test_a_start_sweeps_temp_files_a_killed_worker_left(app):
    tmp_dir = Path(app.config["DATA_DIR"]) / "documents" / "tmp"
    tmp_dir.mkdir(parents=True)
    stale, live = tmp_dir / "upload-stale", tmp_dir / "upload-live"
    stale.write_bytes(b"half a file")
    live.write_bytes(b"being written now")
    # File times are the file system's, not the office clock's: age the stale file by two
    # hours relative to its own write time.
    two_hours_earlier = stale.stat().st_mtime - 7200
    os.utime(stale, (two_hours_earlier, two_hours_earlier))
    _sweep_stale_uploads(app)
    assert not stale.exists()
    assert live.exists()


def _blob_path(app, sha256: str) -> Path:
    return Path(app.config["DATA_DIR"]) / "documents" / "blobs" / sha256[:2] / sha256[2:]


def test_deleting_the_last_document_of_some_bytes_removes_them(app, client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    first, second = (m["code"] for m in view["materials"][:2])
    content = make.pdf_bytes("shared scan")
    one = make.upload(client, auth, view["id"], first, content).get_json()
    two = make.upload(client, auth, view["id"], second, content).get_json()
    assert one["sha256"] == two["sha256"]
    path = _blob_path(app, one["sha256"])

    base = f"/api/v1/applications/{view['id']}/documents"
    assert client.delete(f"{base}/{one['id']}", headers=auth).status_code == 204
    assert path.exists(), "still used by the other document"
    with client.get(f"{base}/{two['id']}/content", headers=auth) as served:
        assert served.status_code == 200 and served.data == content

    assert client.delete(f"{base}/{two['id']}", headers=auth).status_code == 204
    assert not path.exists()
    assert db.session.get(Blob, one["sha256"]) is None

    again = make.upload(client, auth, view["id"], first, content).get_json()
    with client.get(f"{base}/{again['id']}/content", headers=auth) as download:
        assert download.status_code == 200 and download.data == content


def test_a_start_sweeps_at_once_what_a_dead_worker_on_this_host_left(app):
    from app.integrations.storage import owner_prefix

    tmp_dir = Path(app.config["DATA_DIR"]) / "documents" / "tmp"
    tmp_dir.mkdir(parents=True)
    dead_pid = _dead_pid()
    mine = tmp_dir / f"{owner_prefix('upload')}abc"
    dead = tmp_dir / f"{owner_prefix('upload').rsplit('-', 2)[0]}-{dead_pid}-abc"
    mine.write_bytes(b"live")
    dead.write_bytes(b"half")
    _sweep_stale_uploads(app)
    assert mine.exists()
    assert not dead.exists()


def _dead_pid() -> int:
    pid = 4_000_000  # above the default pid_max range, so no process has it
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1
