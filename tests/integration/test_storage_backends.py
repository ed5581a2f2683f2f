"""Both document stores keep the same contract: content-addressed, write-once, streamed.

The S3 store runs against moto's S3 server on 127.0.0.1 (a real HTTP S3 API), in a bucket of
its own per test.
"""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from app.integrations.storage import (
    DocumentStore,
    FileStorage,
    S3Storage,
    SpoolFile,
    TooLarge,
    local,
    storage_for,
)

MIB = 1024 * 1024


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    base = {"DATA_DIR": str(tmp_path / "data"), "STORAGE_BACKEND": "local"}
    if request.param == "s3":
        base.update(request.getfixturevalue("s3_settings"))
    return base


@pytest.fixture
def store(settings: dict[str, Any]) -> DocumentStore:
    return storage_for("documents", settings)


def _temp_files(store: DocumentStore) -> list[Path]:
    return sorted(store.tmp_dir.iterdir()) if store.tmp_dir.is_dir() else []


def _overwrite(store: DocumentStore, sha256: str, data: bytes) -> None:
    """Change the stored bytes behind the store's back (to see whether a put rewrites them)."""
    if isinstance(store, S3Storage):
        store.client.put_object(Bucket=store.bucket, Key=store.key_for(sha256), Body=data)
    else:
        assert isinstance(store, FileStorage)
        store.path_for(sha256).write_bytes(data)


def test_the_configuration_picks_the_store(settings):
    expected = S3Storage if settings["STORAGE_BACKEND"] == "s3" else FileStorage
    assert isinstance(storage_for("licences", settings), expected)


def test_put_bytes_stores_under_the_sha256_and_reads_back(store):
    data = b"%PDF-1.7 licence" * 1000
    sha256 = store.put_bytes(data)
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert store.exists(sha256)
    assert store.read_bytes(sha256) == data
    with store.open(sha256) as stream:
        assert stream.read(10) + stream.read() == data
    assert _temp_files(store) == []


def test_a_put_beside_other_work_stores_both_and_fails_with_either(store):
    pdf, ofd = b"%PDF-1.7 signed" * 500, b"PK ofd package" * 500
    pdf_sha, ofd_sha = store.put_bytes_beside(pdf, lambda: store.put_bytes(ofd))
    assert store.read_bytes(pdf_sha) == pdf and store.read_bytes(ofd_sha) == ofd

    def fails() -> str:
        raise RuntimeError("the OFD could not be sealed")

    late = b"written even though the other work failed"
    with pytest.raises(RuntimeError, match="sealed"):
        store.put_bytes_beside(late, fails)
    assert store.exists(hashlib.sha256(late).hexdigest())  # finished before the error rose
    assert _temp_files(store) == []


def test_a_put_beside_that_fails_raises_after_the_work(store, monkeypatch):
    done: list[str] = []

    def broken(data: bytes) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(store, "put_bytes", broken)
    with pytest.raises(OSError, match="disk full"):
        store.put_bytes_beside(b"pdf", lambda: done.append("ofd"))
    assert done == ["ofd"]


def test_a_stored_key_is_never_rewritten(store):
    data = b"the original bytes"
    sha256 = store.put_bytes(data)
    _overwrite(store, sha256, b"marker: not rewritten")
    assert store.put_bytes(data) == sha256
    tmp, spooled = store.spool(io.BytesIO(data), max_bytes=MIB)
    store.commit(tmp, spooled.sha256)
    assert store.read_bytes(sha256) == b"marker: not rewritten"
    assert _temp_files(store) == []


def test_a_spooled_upload_is_hashed_once_and_committed_under_its_hash(store):
    data = os.urandom(300 * 1024)
    tmp, spooled = store.spool(io.BytesIO(data), max_bytes=MIB)
    assert (spooled.sha256, spooled.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert spooled.head == data[:4096]
    assert tmp.read_bytes() == data  # judged locally (type sniffing) before it is stored
    assert not store.exists(spooled.sha256)
    store.commit(tmp, spooled.sha256)
    assert store.read_bytes(spooled.sha256) == data
    assert _temp_files(store) == []


def test_a_part_the_parser_spooled_is_taken_without_a_copy(store):
    data = b"%PDF-1.4 written by the request parser" * 100
    part = SpoolFile(store.tmp_dir)
    part.write(data[:100])
    part.write(data[100:])
    tmp, spooled = store.spool(part, max_bytes=MIB)
    assert tmp == part.path
    assert spooled.sha256 == hashlib.sha256(data).hexdigest()
    store.commit(tmp, spooled.sha256)
    part.close()  # the request ends: nothing left behind, the blob stays
    assert _temp_files(store) == []
    assert store.read_bytes(spooled.sha256) == data


def test_too_large_a_stream_is_refused_and_leaves_nothing(store):
    with pytest.raises(TooLarge):
        store.spool(io.BytesIO(b"x" * (MIB + 1)), max_bytes=MIB)
    part = SpoolFile(store.tmp_dir)
    part.write(b"y" * (MIB + 1))
    with pytest.raises(TooLarge):
        store.spool(part, max_bytes=MIB)
    assert _temp_files(store) == []


def test_a_discarded_upload_is_not_stored(store):
    tmp, spooled = store.spool(io.BytesIO(b"not a document"), max_bytes=MIB)
    store.discard(tmp)
    assert not store.exists(spooled.sha256)
    assert _temp_files(store) == []


def test_a_missing_blob_is_absent_and_removing_it_twice_is_harmless(store):
    sha256 = store.put_bytes(b"to be deleted")
    store.remove(sha256)
    store.remove(sha256)
    assert not store.exists(sha256)
    with pytest.raises(FileNotFoundError):
        store.open(sha256)


def test_areas_do_not_see_each_other(settings):
    documents, licences = storage_for("documents", settings), storage_for("licences", settings)
    sha256 = documents.put_bytes(b"an uploaded scan")
    assert not licences.exists(sha256)


def test_a_multipart_upload_round_trips_byte_identical(s3_settings, tmp_path):
    """Above the threshold the file goes in parts read from the temp file, not from memory."""
    store = storage_for("documents", {"DATA_DIR": str(tmp_path), **s3_settings})
    assert isinstance(store, S3Storage)
    data = os.urandom(12 * MIB + 12345)  # three parts of 5 MiB at the test's threshold
    tmp, spooled = store.spool(io.BytesIO(data), max_bytes=20 * MIB)
    tracemalloc.start()
    try:
        store.commit(tmp, spooled.sha256)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    head = store.client.head_object(Bucket=store.bucket, Key=store.key_for(spooled.sha256))
    assert head["ETag"].strip('"').endswith("-3")  # S3's mark of a three-part upload
    assert head["ContentLength"] == len(data)
    # The whole file in memory would peak above len(data); one 5 MiB part in flight (plus the
    # in-process fake S3's copy of it, which tracemalloc also counts) stays well below 3/4.
    # Half was too tight: on a loaded machine the fake server still held the previous part.
    assert peak < len(data) * 3 // 4
    digest, size = hashlib.sha256(), 0
    with store.open(spooled.sha256) as stream:
        while chunk := stream.read(MIB):
            digest.update(chunk)
            size += len(chunk)
    assert (digest.hexdigest(), size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_new_blob_folder_is_flushed_in_its_parent_before_the_file_moves_in(tmp_path, monkeypatch):
    """A power cut must not lose the ``ab/`` folder a first blob of that prefix created."""
    flushed: list[Path] = []
    monkeypatch.setattr(local, "fsync_directory", flushed.append)
    store = local.FileStorage(tmp_path / "documents")
    sha256 = store.put_bytes(b"first of its prefix")
    folder = store.path_for(sha256).parent
    assert flushed == [folder.parent, folder]
    flushed.clear()
    store.put_bytes(b"first of its prefix")  # already stored: nothing moves, nothing flushed
    assert flushed == []


@pytest.mark.parametrize("synced", [False, True])
def test_a_file_its_writer_synced_is_renamed_without_a_second_fsync(tmp_path, monkeypatch, synced):
    """A resumable upload's file was fdatasynced by its PATCHes: the store renames it and
    syncs the folder; any other spool file is synced first."""
    synced_files: list[Path] = []
    flushed: list[Path] = []
    monkeypatch.setattr(local, "_fsync_file", synced_files.append)
    monkeypatch.setattr(local, "fsync_directory", flushed.append)
    store = local.FileStorage(tmp_path / "documents")
    tmp, spooled = store.spool(io.BytesIO(b"%PDF-1.7 resumed"), max_bytes=MIB)
    store.commit(tmp, spooled.sha256, synced=synced)
    assert synced_files == ([] if synced else [tmp])
    assert flushed[-1] == store.path_for(spooled.sha256).parent  # the rename is made durable
    assert store.read_bytes(spooled.sha256) == b"%PDF-1.7 resumed"


def test_a_large_spool_file_starts_its_writeback_on_the_way(store, monkeypatch):
    """Every 4 MiB written is handed to the kernel's writeback at once (so the store's fsync
    waits for the tail only); the bytes and their hash are unchanged."""
    advised: list[tuple[int, int, int]] = []
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, *advice: advised.append(advice))
    data = os.urandom(9 * MIB + 5)
    tmp, spooled = store.spool(io.BytesIO(data), max_bytes=16 * MIB)
    dontneed = os.POSIX_FADV_DONTNEED
    assert advised == [(0, 4 * MIB, dontneed), (4 * MIB, 4 * MIB, dontneed)]
    assert spooled.sha256 == hashlib.sha256(data).hexdigest()
    assert tmp.read_bytes() == data
    store.discard(tmp)
