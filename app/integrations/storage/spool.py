"""Temp files that hash what is written into them: one pass from the request body to the store.

A ``SpoolFile`` is what werkzeug's multipart parser writes an uploaded part into (see
``app.web.uploads``): it sits in the store's ``tmp/`` folder, computes the SHA-256, the size and
the first bytes as they are written, and is later renamed (local store) or uploaded (object
store) under its hash without being read again. Its name carries host and pid so a later
start can sweep what a killed worker left.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.files import EarlyWriteback

CHUNK_SIZE = 64 * 1024
HEAD_BYTES = 4096


class TooLarge(Exception):
    """The stream is longer than the caller's limit; nothing was stored."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    head: bytes  # the first bytes, for judging the type by content
    # Already made durable by its writer (a resumable upload fdatasyncs every PATCH): a local
    # store then renames it without syncing the same bytes again.
    synced: bool = False


class SpoolFile:
    """A writable, readable temp file in ``directory`` that hashes every byte written to it.

    Closing it removes the file unless a store has already moved it into place.
    """

    def __init__(self, directory: Path, kind: str = "upload") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=owner_prefix(kind))
        self.path = Path(name)
        self._file = os.fdopen(fd, "w+b")
        self._inode = os.fstat(fd).st_ino
        self._writeback = EarlyWriteback(self._file)
        self._digest = hashlib.sha256()
        self._head = bytearray()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        if len(self._head) < HEAD_BYTES:
            self._head += data[: HEAD_BYTES - len(self._head)]
        self.size += len(data)
        written = self._file.write(data)
        self._writeback.wrote_to(self.size)  # the store's fsync then waits for the tail only
        return written

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def stored(self) -> StoredFile:
        """What has been written so far (flushed to the file, so the path can be read)."""
        self._file.flush()
        return StoredFile(self.sha256, self.size, bytes(self._head))

    def keep(self) -> Path:
        """Close the handle but leave the file for a store to take (or discard)."""
        self._file.close()
        return self.path

    def close(self) -> None:
        self._file.close()
        try:
            if self.path.stat().st_ino == self._inode:
                self.path.unlink()
        except FileNotFoundError:
            pass  # moved into the store, or discarded

    def __getattr__(self, name: str) -> Any:
        # read, seek, tell, readable, … of the underlying file, for werkzeug's FileStorage.
        return getattr(self._file, name)

    def __enter__(self) -> SpoolFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spool_stream(directory: Path, stream: IO[bytes], max_bytes: int) -> tuple[Path, StoredFile]:
    """Copy ``stream`` into a new spool file, hashing it; raise TooLarge past the limit.

    A stream that is already a spool file of ``directory`` (the request parser wrote the
    upload there) is taken as it is: no second copy, no second hash.
    """
    if isinstance(stream, SpoolFile) and stream.path.parent == directory:
        if stream.size > max_bytes:
            stream.close()
            raise TooLarge
        return stream.path, stream.stored()
    spool = SpoolFile(directory)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            spool.write(chunk)
            if spool.size > max_bytes:
                raise TooLarge
        stored = spool.stored()
    except BaseException:
        spool.close()
        raise
    return spool.keep(), stored


def content_sha256(stream: IO[bytes]) -> str:
    """The SHA-256 of an uploaded part, read only when the parser did not hash it already."""
    if isinstance(stream, SpoolFile):
        return stream.sha256
    digest = hashlib.sha256()
    position = stream.tell()
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
    stream.seek(position)
    return digest.hexdigest()


def owner_prefix(kind: str) -> str:
    """``kind-host-pid-``: lets a later start tell a dead writer's leftovers from live work."""
    host = socket.gethostname().replace("-", "_")[:40]
    return f"{kind}-{host}-{os.getpid()}-"


def sweep_temp(tmp_dir: Path, older_than_seconds: float) -> int:
    """Remove temp files a killed worker left half-written; return how many.

    A file is removed when the process that wrote it (named in the file, with its host, as
    several servers may share the volume) no longer runs on this host, or when it is older
    than any upload could take.
    """
    if not tmp_dir.is_dir():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for entry in tmp_dir.iterdir():
        try:
            if entry.is_file() and (_writer_is_dead(entry.name) or entry.stat().st_mtime < cutoff):
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # another worker swept it first
    return removed


def _writer_is_dead(name: str) -> bool:
    parts = name.split("-")
    if len(parts) < 4 or parts[1] != socket.gethostname().replace("-", "_")[:40]:
        return False  # another host's file, or an old name: left to the age rule
    try:
        pid = int(parts[2])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
