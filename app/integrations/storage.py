"""Content-addressed document storage on a local volume.

Uploads are streamed to a temporary file while their SHA-256 is computed, fsynced, then
renamed into ``blobs/ab/cdef…`` — so a crash leaves either the whole file or nothing,
and identical content is kept once however often it is uploaded.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 64 * 1024


class TooLarge(Exception):
    """The stream is longer than the caller's limit; nothing was stored."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    head: bytes  # the first bytes, for judging the type by content


class FileStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.blob_dir = self.root / "blobs"
        self.tmp_dir = self.root / "tmp"

    def path_for(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def spool(self, stream: BinaryIO, max_bytes: int) -> tuple[Path, StoredFile]:
        """Copy ``stream`` to a private temp file, hashing it; raise TooLarge past the limit."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix=_owner_prefix("upload"))
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge
                    if len(head) < 4096:
                        head += chunk[: 4096 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, StoredFile(digest.hexdigest(), size, head)

    def commit(self, tmp: Path, sha256: str) -> Path:
        """Move a spooled file into place under its hash (keeping an existing copy)."""
        target = self.path_for(sha256)
        if target.exists():
            tmp.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
        return target

    def discard(self, tmp: Path) -> None:
        tmp.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        """Delete the bytes of a blob no row refers to any more."""
        self.path_for(sha256).unlink(missing_ok=True)

    def sweep_temp(self, older_than_seconds: float) -> int:
        """Remove temp files a killed worker left half-written; return how many.

        A file is removed when the process that wrote it (named in the file, with its
        host, as several servers may share the volume) no longer runs on this host, or
        when it is older than any upload could take.
        """
        if not self.tmp_dir.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for entry in self.tmp_dir.iterdir():
            try:
                if entry.is_file() and (
                    _writer_is_dead(entry.name) or entry.stat().st_mtime < cutoff
                ):
                    entry.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # another worker swept it first
        return removed

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` atomically under its hash and return the hash."""
        sha256 = hashlib.sha256(data).hexdigest()
        if self.exists(sha256):
            return sha256
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix=_owner_prefix("put"))
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        self.commit(Path(tmp_name), sha256)
        return sha256


def _owner_prefix(kind: str) -> str:
    """``kind-host-pid-``: lets a later start tell a dead writer's leftovers from live work."""
    host = socket.gethostname().replace("-", "_")[:40]
    return f"{kind}-{host}-{os.getpid()}-"


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


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
