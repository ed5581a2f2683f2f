"""Content-addressed document storage in a local folder (the default, for one machine).

A spooled upload is fsynced, then renamed into ``blobs/ab/cdef…`` and the folder fsynced —
so a crash leaves either the whole file or nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from app.integrations.storage.base import DocumentStore
from app.integrations.storage.spool import SpoolFile


class FileStorage(DocumentStore):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__(root)
        self.root = Path(root)
        self.blob_dir = self.root / "blobs"

    def path_for(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def commit(self, tmp: Path, sha256: str) -> None:
        target = self.path_for(sha256)
        if target.exists():
            tmp.unlink(missing_ok=True)
            return
        _fsync_file(tmp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        _fsync_dir(target.parent)

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> str:
        spool = SpoolFile(self.tmp_dir, kind="put")
        try:
            spool.write(data)
            sha256 = spool.stored().sha256
        except BaseException:
            spool.close()
            raise
        self.commit(spool.keep(), sha256)
        return sha256


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    _fsync_file(directory)
