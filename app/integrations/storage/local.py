"""Content-addressed document storage in a local folder (the default, for one machine).

A spooled upload is fsynced (unless its writer already synced it: a resumable upload's
file), then renamed into ``blobs/ab/cdef…`` and the folder fsynced — so a crash leaves
either the whole file or nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from app.files import fsync_directory
from app.integrations.storage.base import DocumentStore


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

    def commit(self, tmp: Path, sha256: str, *, synced: bool = False) -> None:
        target = self.path_for(sha256)
        if target.exists():
            tmp.unlink(missing_ok=True)
            return
        if not synced:
            _fsync_file(tmp)
        if not target.parent.is_dir():
            # A new ``ab/`` folder is itself an entry of ``blobs/``: make it durable too, or a
            # power cut could lose the folder and with it the file renamed into it.
            target.parent.mkdir(parents=True, exist_ok=True)
            fsync_directory(target.parent.parent)
        os.replace(tmp, target)
        fsync_directory(target.parent)

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
